package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

func newAppsDestroyCmd(e *env) *cobra.Command {
	var f appFlags
	var confirm string
	cmd := &cobra.Command{
		Use:   "apps:destroy",
		Short: "Destroy an app with its processes, repository, builds and releases",
		Long: "Destroy an app with its processes, repository, builds and releases. Without --confirm,\n" +
			"the app name is asked for on stdin.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.destroyApp(cmd.Context(), app, f.remote, confirm)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&confirm, "confirm", "", "the app name again, to skip the question")
	return cmd
}

func (e *env) destroyApp(ctx context.Context, app, remote, confirm string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if confirm == "" {
		if confirm, err = e.askConfirmation(ctx, app); err != nil {
			return err
		}
	}
	if confirm != app {
		return fmt.Errorf("confirmation %q did not match %q; nothing was destroyed", clip(confirm), app)
	}
	fmt.Fprintf(e.stdout, "Destroying %s... ", app)
	if err := c.Apps().Delete(ctx, app); err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintln(e.stdout, "done")
	e.removeAppRemote(ctx, app, remote)
	return nil
}

// askConfirmation warns and reads the app name back from stdin.
func (e *env) askConfirmation(ctx context.Context, app string) (string, error) {
	fmt.Fprintf(e.stderr, " !    WARNING: this destroys %s with its processes, repository, builds and releases.\n", app)
	answer, err := e.ask(ctx, "To proceed, type the app name: ", false)
	if errors.Is(err, io.EOF) {
		return "", fmt.Errorf("no confirmation given; nothing was destroyed; to destroy %s without the question, pass --confirm %s", app, app)
	}
	return strings.TrimSpace(answer), err
}

// removeAppRemote removes the git remote of a destroyed app, as heroku
// does, when it points at that app. Failing to is not worth an error.
func (e *env) removeAppRemote(ctx context.Context, app, remote string) {
	g := gitRepo{dir: e.dir}
	u, ok, err := g.remoteURL(ctx, remote)
	if err != nil || !ok {
		return
	}
	if name, _ := appFromGitURL(u); name != app {
		return
	}
	if g.removeRemote(ctx, remote) == nil {
		fmt.Fprintf(e.stdout, "Git remote %s removed\n", remote)
	}
}

// clip shortens what the user typed before it is echoed back.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
