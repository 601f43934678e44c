package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newAppsCreateCmd(e *env) *cobra.Command {
	var remote string
	cmd := &cobra.Command{
		Use:   "apps:create NAME",
		Short: "Create an app, and its git remote when run inside a git repository",
		Args:  argNames([]string{"app name; usage: paas apps:create NAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.createApp(cmd.Context(), args[0], remote)
		},
	}
	cmd.Flags().StringVar(&remote, "remote", defaultRemote, "name of the git remote to add")
	return cmd
}

func (e *env) createApp(ctx context.Context, name, remote string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Creating %s... ", name)
	app, err := c.Apps().Create(ctx, name)
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintln(e.stdout, "done")
	fmt.Fprintf(e.stdout, "%s | %s\n", app.WebURL, app.GitURL)
	if err := e.addRemoteIfMissing(ctx, app.Name, remote, app.GitURL); err != nil {
		return fmt.Errorf("%s was created, but adding its git remote failed: %w\nadd it with: paas git:remote -a %s", app.Name, err, app.Name)
	}
	return nil
}

// addRemoteIfMissing adds the git remote for a new app when the working
// directory is a repository without one. An existing remote is left alone.
func (e *env) addRemoteIfMissing(ctx context.Context, app, remote, gitURL string) error {
	g := gitRepo{dir: e.dir}
	if !g.isRepo(ctx) {
		return nil
	}
	current, exists, err := g.remoteURL(ctx, remote)
	switch {
	case err != nil:
		return err
	case exists && current != gitURL:
		fmt.Fprintf(e.stdout, "Git remote %s already points at %s; to deploy %s from here instead, run: paas git:remote -a %s --remote %s\n",
			remote, redactURL(current), app, app, remote)
		return nil
	case exists:
		return nil
	}
	if _, err := g.setRemote(ctx, remote, gitURL); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Git remote %s added\n", remote)
	return nil
}
