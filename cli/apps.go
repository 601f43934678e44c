package cli

import (
	"context"
	"fmt"

	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

func newAppsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "apps",
		Short: "List your apps",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.listApps(cmd.Context(), asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the apps as JSON")
	return cmd
}

func (e *env) listApps(ctx context.Context, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	apps, err := c.Apps().List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, apps)
	}
	if len(apps) == 0 {
		fmt.Fprintln(e.stdout, "You have no apps. Create one with: paas apps:create NAME")
		return nil
	}
	t := newTable(e.stdout, "NAME", "RELEASE", "OWNER", "CREATED")
	for _, a := range apps {
		t.row(a.Name, version(a.Release), a.Owner, ago(e.now(), a.CreatedAt))
	}
	return t.flush()
}

func newAppsInfoCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "apps:info",
		Short: "Show an app",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.appInfo(cmd.Context(), app, asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the app as JSON")
	return cmd
}

func (e *env) appInfo(ctx context.Context, name string, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	app, err := c.Apps().Get(ctx, name)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, app)
	}
	return printApp(e, app)
}

func printApp(e *env, app *apiclient.App) error {
	fmt.Fprintf(e.stdout, "=== %s\n", app.Name)
	pairs := []string{
		"Owner", app.Owner,
		"Release", version(app.Release),
		"Git URL", app.GitURL,
		"Web URL", app.WebURL,
		"Created", stamp(app.CreatedAt),
	}
	if d := app.LastDrift; d != nil {
		pairs = append(pairs, "Last drift", fmt.Sprintf("%s (%s)", d.Message, stamp(d.CreatedAt)))
	}
	return fields(e.stdout, pairs...)
}
