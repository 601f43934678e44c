package cli

import (
	"context"
	"fmt"

	"github.com/gitpaas/paas"
	"github.com/spf13/cobra"
)

func newAccessCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "access",
		Short: "List who has which role on an app",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.listAccess(cmd.Context(), app, asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the collaborators as JSON")
	return cmd
}

func (e *env) listAccess(ctx context.Context, app string, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	cs, err := c.Access().List(ctx, app)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, cs)
	}
	t := newTable(e.stdout, "USER", "ROLE", "SINCE")
	for _, col := range cs {
		t.row(col.User, col.Role, ago(e.now(), col.CreatedAt))
	}
	return t.flush()
}

func newAccessAddCmd(e *env) *cobra.Command {
	var f appFlags
	var role string
	cmd := &cobra.Command{
		Use:   "access:add USER",
		Short: "Give a user a role on an app (owners), or change their role",
		Long: "Give a user a role on an app: viewer (sees it), deployer (also pushes, changes config,\n" +
			"scales, rolls back, runs) or owner (also destroys it and manages access).",
		Example: "  paas access:add ada --role deployer -a hello",
		Args:    argNames([]string{"USER"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.addAccess(cmd.Context(), app, args[0], role)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&role, "role", "", "viewer, deployer or owner (required)")
	return cmd
}

func (e *env) addAccess(ctx context.Context, app, user, rawRole string) error {
	if rawRole == "" {
		return usageErrorf("missing --role: viewer, deployer or owner")
	}
	role, err := paas.ParseRole(rawRole)
	if err != nil {
		return usageErrorf("%s", paas.ErrorMessage(err))
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	if _, err := c.Access().Set(ctx, app, user, role); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s of %s\n", user, withArticle(role), app)
	return nil
}

// withArticle puts "a" or "an" before a role.
func withArticle(r paas.Role) string {
	if r == paas.RoleOwner {
		return "an owner"
	}
	return "a " + string(r)
}

func newAccessRemoveCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "access:remove USER",
		Short: "Take a user's role on an app away (owners)",
		Args:  argNames([]string{"USER"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.removeAccess(cmd.Context(), app, args[0])
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) removeAccess(ctx context.Context, app, user string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if err := c.Access().Remove(ctx, app, user); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s no longer has access to %s\n", user, app)
	return nil
}
