package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func newGitRemoteCmd(e *env) *cobra.Command {
	var app, remote string
	cmd := &cobra.Command{
		Use:   "git:remote",
		Short: "Add or update the git remote that deploys an app",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if app == "" {
				return usageErrorf("missing --app NAME")
			}
			return e.gitRemote(cmd.Context(), app, remote)
		},
	}
	cmd.Flags().StringVarP(&app, "app", "a", "", "app to deploy with the remote (required)")
	cmd.Flags().StringVar(&remote, "remote", defaultRemote, "name of the git remote")
	return cmd
}

func (e *env) gitRemote(ctx context.Context, name, remote string) error {
	g := gitRepo{dir: e.dir}
	if !g.isRepo(ctx) {
		return errors.New("not inside a git repository; cd into your app's repository (or run git init) first")
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	app, err := c.Apps().Get(ctx, name)
	if err != nil {
		return err
	}
	added, err := g.setRemote(ctx, remote, app.GitURL)
	if err != nil {
		return err
	}
	verb := "updated"
	if added {
		verb = "added"
	}
	fmt.Fprintf(e.stdout, "Git remote %s %s: %s\n", remote, verb, app.GitURL)
	return nil
}
