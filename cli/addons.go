package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/spf13/cobra"
)

// Add-on URLs hold passwords. No add-on command prints one: they live in
// the app's config vars (paas config shows them).

func newAddonsCmd(e *env) *cobra.Command {
	var f appFlags
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "addons",
		Short: "List the add-ons of an app, or with --all every add-on",
		Long: "List the add-ons of an app: those it created and those attached to it, with the config\n" +
			"var each is attached as. --all lists every add-on of the platform (platform admins).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app := ""
			if !all {
				var err error
				if app, err = f.resolve(cmd.Context(), e); err != nil {
					return err
				}
			}
			return e.listAddons(cmd.Context(), app, asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "list every add-on (platform admins)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the add-ons as JSON")
	return cmd
}

func (e *env) listAddons(ctx context.Context, app string, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	list, err := c.Addons().List(ctx, app)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, list)
	}
	if len(list) == 0 {
		fmt.Fprintf(e.stdout, "No add-ons. Create one with: paas addons:create postgres -a %s\n", orDash(app))
		return nil
	}
	t := newTable(e.stdout, "NAME", "TYPE", "PLAN", "APP", "STATE", "ATTACHED AS", "CREATED")
	for _, a := range list {
		t.row(a.Name, a.Type, a.Plan, orDash(a.App), a.State, orDash(attachmentList(a.Attachments)), ago(e.now(), a.CreatedAt))
	}
	return t.flush()
}

// attachmentList says "hello:DATABASE_URL, other:ANALYTICS_URL".
func attachmentList(ts []paas.AddonAttachment) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, t.App+":"+t.ConfigVar)
	}
	return strings.Join(parts, ", ")
}

func newAddonsInfoCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "addons:info NAME",
		Short: "Show an add-on: its type, plan, state, port and attachments",
		Long: "Show an add-on as seen from an app (-a, or the app of the git remote); outside an app's\n" +
			"repository and without -a, any add-on (platform admins).",
		Args: argNames([]string{"add-on name; usage: paas addons:info NAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.addonInfo(cmd.Context(), f.resolveOptional(cmd.Context(), e), args[0], asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the add-on as JSON")
	return cmd
}

func (e *env) addonInfo(ctx context.Context, app, name string, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	a, err := c.Addons().Get(ctx, app, name)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, a)
	}
	fmt.Fprintf(e.stdout, "=== %s\n", a.Name)
	pairs := []string{
		"Type", a.Type,
		"Plan", a.Plan,
		"App", orDash(a.App),
		"State", fmt.Sprintf("%s (%s)", a.State, orDash(a.Status)),
		"Address", fmt.Sprintf("%s:%d", orDash(a.Host), a.Port),
	}
	for i, t := range a.Attachments {
		key := ""
		if i == 0 {
			key = "Attached"
		}
		pairs = append(pairs, key, fmt.Sprintf("%s as %s", t.App, t.ConfigVar))
	}
	if len(a.Attachments) == 0 {
		pairs = append(pairs, "Attached", "-")
	}
	pairs = append(pairs, "Created", fmt.Sprintf("%s by %s", stamp(a.CreatedAt), a.CreatedBy))
	return fields(e.stdout, pairs...)
}

// resolveOptional returns the app of -a or of the git remote, or "" when
// neither names one.
func (f *appFlags) resolveOptional(ctx context.Context, e *env) string {
	app, err := f.resolve(ctx, e)
	if err != nil {
		return ""
	}
	return app
}
