package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

func newBuildsCmd(e *env) *cobra.Command {
	var f appFlags
	var num int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "builds",
		Short: "List the builds of an app, newest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if num < 1 {
				return usageErrorf("--num must be at least 1")
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.listBuilds(cmd.Context(), app, num, asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().IntVarP(&num, "num", "n", defaultNum, "how many builds to show")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the builds as JSON")
	return cmd
}

func (e *env) listBuilds(ctx context.Context, app string, num int, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	list, err := c.Builds().List(ctx, app)
	if err != nil {
		return err
	}
	list = list[:min(num, len(list))]
	if asJSON {
		return printJSON(e.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintf(e.stdout, "%s has no builds yet; deploy with: git push %s main\n", app, defaultRemote)
		return nil
	}
	t := newTable(e.stdout, "ID", "STATUS", "COMMIT", "RELEASE", "BY", "CREATED")
	for _, b := range list {
		t.row(b.ID, b.Status, shortCommit(b.Commit), version(b.Release), orDash(b.CreatedBy), ago(e.now(), b.CreatedAt))
	}
	return t.flush()
}

func newBuildsInfoCmd(e *env) *cobra.Command {
	var f appFlags
	var noLog, asJSON bool
	cmd := &cobra.Command{
		Use:   "builds:info ID",
		Short: "Show a build and its log",
		Args:  argNames([]string{"build ID; usage: paas builds:info ID"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id < 1 {
				return usageErrorf("build ID %q is not a number; list the builds with: paas builds", clip(args[0]))
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.buildInfo(cmd.Context(), app, id, !noLog && !asJSON, asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&noLog, "no-log", false, "do not print the build log")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the build as JSON, without its log")
	return cmd
}

func (e *env) buildInfo(ctx context.Context, app string, id int64, withLog, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	b, err := c.Builds().Get(ctx, app, id)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, b)
	}
	if err := printBuild(e, b); err != nil {
		return err
	}
	if !withLog {
		return nil
	}
	return e.printBuildLog(ctx, c, b)
}

func printBuild(e *env, b *paas.Build) error {
	fmt.Fprintf(e.stdout, "=== Build %d of %s\n", b.ID, b.App)
	finished := "-"
	if b.FinishedAt != nil {
		finished = stamp(*b.FinishedAt)
	}
	pairs := []string{
		"Status", string(b.Status),
		"Commit", orDash(b.Commit),
		"Ref", orDash(b.Ref),
		"Image", orDash(b.Image),
		"Release", version(b.Release),
		"By", orDash(b.CreatedBy),
		"Created", stamp(b.CreatedAt),
		"Finished", finished,
	}
	if b.Error != "" {
		pairs = append(pairs, "Error", b.Error)
	}
	return fields(e.stdout, pairs...)
}

// printBuildLog copies the build log to stdout under a heading, ending it
// with a newline if it lacks one.
func (e *env) printBuildLog(ctx context.Context, c *apiclient.Client, b *paas.Build) error {
	log, err := c.Builds().Log(ctx, b.App, b.ID)
	if err != nil {
		return err
	}
	defer log.Close()
	fmt.Fprintf(e.stdout, "\n=== Build log\n")
	w := &lastByteWriter{w: e.stdout}
	if _, err := io.Copy(w, log); err != nil {
		return fmt.Errorf("read build log: %w", err)
	}
	if w.last != 0 && w.last != '\n' {
		fmt.Fprintln(e.stdout)
	}
	return nil
}

// lastByteWriter remembers the last byte written through it.
type lastByteWriter struct {
	w    io.Writer
	last byte
}

func (l *lastByteWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		l.last = p[len(p)-1]
	}
	return l.w.Write(p)
}
