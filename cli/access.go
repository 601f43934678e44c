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
		Short: "List which users and teams have which role on an app",
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
		who := col.User
		if col.Team != "" {
			who = col.Team + " (team)"
		}
		t.row(who, col.Role, ago(e.now(), col.CreatedAt))
	}
	return t.flush()
}

func newAccessAddCmd(e *env) *cobra.Command {
	var f appFlags
	var role, team string
	cmd := &cobra.Command{
		Use:   "access:add {USER | --team TEAM}",
		Short: "Give a user or a team a role on an app (owners), or change their role",
		Long: "Give a user, or with --team every member of a team, a role on an app: viewer (sees it),\n" +
			"deployer (also pushes, changes config, scales, rolls back, runs) or owner (also destroys\n" +
			"it and manages access). A user holds the highest of their own and their teams' roles.",
		Example: "  paas access:add ada --role deployer -a hello\n  paas access:add --team backend --role deployer -a hello",
		Args:    argNames(nil, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			user, err := userOrTeam(args, team)
			if err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			if team != "" {
				return e.addTeamAccess(cmd.Context(), app, team, role)
			}
			return e.addAccess(cmd.Context(), app, user, role)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&role, "role", "", "viewer, deployer or owner (required)")
	cmd.Flags().StringVar(&team, "team", "", "give the role to this team instead of a user")
	return cmd
}

// userOrTeam returns the USER argument, checking that there is one or a
// --team, not both.
func userOrTeam(args []string, team string) (string, error) {
	switch {
	case len(args) == 0 && team == "":
		return "", usageErrorf("missing USER (or --team TEAM)")
	case len(args) > 0 && team != "":
		return "", usageErrorf("give a USER or --team %s, not both", team)
	case len(args) > 0:
		return args[0], nil
	}
	return "", nil
}

// parseRoleFlag checks the --role flag.
func parseRoleFlag(rawRole string) (paas.Role, error) {
	if rawRole == "" {
		return "", usageErrorf("missing --role: viewer, deployer or owner")
	}
	role, err := paas.ParseRole(rawRole)
	if err != nil {
		return "", usageErrorf("%s", paas.ErrorMessage(err))
	}
	return role, nil
}

func (e *env) addTeamAccess(ctx context.Context, app, team, rawRole string) error {
	role, err := parseRoleFlag(rawRole)
	if err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	if _, err := c.Access().SetTeam(ctx, app, team, role); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "team %s is now %s of %s\n", team, withArticle(role), app)
	return nil
}

func (e *env) addAccess(ctx context.Context, app, user, rawRole string) error {
	role, err := parseRoleFlag(rawRole)
	if err != nil {
		return err
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
	var team string
	cmd := &cobra.Command{
		Use:     "access:remove {USER | --team TEAM}",
		Short:   "Take a user's or a team's role on an app away (owners)",
		Example: "  paas access:remove ada -a hello\n  paas access:remove --team backend -a hello",
		Args:    argNames(nil, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			user, err := userOrTeam(args, team)
			if err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			if team != "" {
				return e.removeTeamAccess(cmd.Context(), app, team)
			}
			return e.removeAccess(cmd.Context(), app, user)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&team, "team", "", "take the role of this team away instead of a user's")
	return cmd
}

func (e *env) removeTeamAccess(ctx context.Context, app, team string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if err := c.Access().RemoveTeam(ctx, app, team); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "team %s no longer has access to %s\n", team, app)
	return nil
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
