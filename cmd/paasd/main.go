// Command paasd is the platform's control plane: the REST API, the git
// endpoint, the build and release pipeline and the reconciler.
//
//	paasd [flags]      serve
//	paasd git-hook     the pre-receive hook git runs during a push
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gitpaas/paas/internal/gitserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "git-hook" {
		os.Exit(gitserver.RunHook(ctx, os.Getenv, os.Stdin, os.Stdout))
	}
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "paasd:", err)
		os.Exit(1)
	}
}

// run parses flags, starts the platform and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	m, err := Open(ctx, cfg, newLogger(cfg.LogFormat, stderr))
	if err != nil {
		return err
	}
	return m.Run(ctx)
}
