// Command paas is the command-line client of the paas platform; see the
// cli package for its commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/gitpaas/paas/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
