// Command stackbuild builds one commit of a bare git repository with the
// platform's builder, as a push would, and prints how long the build took
// in milliseconds. bench/stack-builds.sh runs it.
//
// Usage: stackbuild -repo BARE.git -commit HASH -tag paas-bench/app:build-1 [-log FILE]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/gitpaas/paas/builder"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "stackbuild: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stackbuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var req builder.Request
	fs.StringVar(&req.RepoPath, "repo", "", "bare git repository")
	fs.StringVar(&req.Commit, "commit", "", "commit hash to build")
	fs.StringVar(&req.Tag, "tag", "", "image tag, such as paas-bench/go:build-1")
	fs.StringVar(&req.Stack, "stack", "", "stack to build with (default: detect)")
	logPath := fs.String("log", "", "file for the build output (default: discard)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if req.RepoPath == "" || req.Commit == "" || req.Tag == "" {
		return errors.New("-repo, -commit and -tag are required")
	}
	log := io.Discard
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		log = f
	}
	b, err := builder.New(builder.Options{})
	if err != nil {
		return err
	}
	defer b.Close()
	start := time.Now()
	if _, err := b.Build(ctx, req, log); err != nil {
		return err
	}
	fmt.Fprintln(stdout, time.Since(start).Milliseconds())
	return nil
}
