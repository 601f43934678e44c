// Package cli implements the paas command-line tool: a cobra command tree
// over the typed API client, Heroku-style names and output, credentials in
// ~/.netrc shared with git, and the app inferred from the "paas" git remote.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Exit codes of Run.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// env is everything a command takes from its surroundings. Run fills it from
// the process; tests fill it with temporary directories and buffers, which
// keeps them parallel and away from the real home directory.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	dir            string // working directory, for git
	now            func() time.Time
	verbose        bool // set by the --verbose flag
}

// Run runs the paas command line args (without the program name) and
// returns the exit code: ExitOK, ExitError when the command failed, or
// ExitUsage when the command line was wrong.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	dir, err := os.Getwd()
	if err != nil {
		dir = "."
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, dir: dir, now: time.Now}
	return run(ctx, e, args)
}

// run executes args against e and reports any error on e.stderr.
func run(ctx context.Context, e *env, args []string) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	var xe *exitError
	if errors.As(err, &xe) {
		return xe.code
	}
	printError(e.stderr, err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, " !    See: %s --help\n", cmd.CommandPath())
		return ExitUsage
	}
	return ExitError
}

// printError writes err in the Heroku style, one " !    " line per line of
// its message.
func printError(w io.Writer, err error) {
	for _, line := range strings.Split(errorMessage(err), "\n") {
		fmt.Fprintf(w, " !    %s\n", line)
	}
}
