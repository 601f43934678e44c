package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// readLine reads one line from r without its line ending. It returns io.EOF
// only when r ended before giving anything, and gives up when ctx ends
// (Ctrl-C) even though the read itself cannot be interrupted.
func readLine(ctx context.Context, r io.Reader) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		ch <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case res := <-ch:
		if res.err != nil && !(errors.Is(res.err, io.EOF) && res.line != "") {
			return "", res.err
		}
		return strings.TrimRight(res.line, "\r\n"), nil
	}
}

// ask prints prompt on stderr and reads the answer from stdin, without
// echoing it when secret is set and stdin is a terminal. It ends the
// prompt's line whenever the terminal did not echo the newline.
func (e *env) ask(ctx context.Context, prompt string, secret bool) (string, error) {
	fmt.Fprint(e.stderr, prompt)
	f, ok := e.stdin.(*os.File)
	if !ok || !isCharDevice(f) {
		defer fmt.Fprintln(e.stderr)
		return readLine(ctx, e.stdin)
	}
	if !secret {
		return readLine(ctx, e.stdin)
	}
	restore, err := disableEcho(f)
	if err != nil {
		return readLine(ctx, e.stdin)
	}
	defer func() {
		restore()
		fmt.Fprintln(e.stderr)
	}()
	return readLine(ctx, e.stdin)
}

func isCharDevice(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// disableEcho turns off echo on the terminal f with stty(1) and returns a
// function that restores the previous settings. stty keeps the module free
// of golang.org/x/term, which go.mod does not require directly.
func disableEcho(f *os.File) (func(), error) {
	state, err := stty(f, "-g")
	if err != nil {
		return nil, err
	}
	if _, err := stty(f, "-echo"); err != nil {
		return nil, err
	}
	return func() { _, _ = stty(f, state) }, nil
}

func stty(tty *os.File, args ...string) (string, error) {
	cmd := exec.Command("stty", args...)
	cmd.Stdin = tty
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}
