package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

func newTeamsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "teams",
		Short: "List your teams (platform admins: every team)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.listTeams(cmd.Context(), asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the teams as JSON")
	return cmd
}

func (e *env) listTeams(ctx context.Context, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	teams, err := c.Teams().List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, teams)
	}
	t := newTable(e.stdout, "NAME", "MEMBERS", "CREATED")
	for _, team := range teams {
		t.row(team.Name, fmt.Sprint(team.Members), ago(e.now(), team.CreatedAt))
	}
	return t.flush()
}

func newTeamsCreateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "teams:create NAME",
		Short: "Create a team (platform admins)",
		Long: "Create a team without members. Add users with `paas teams:add`, and have an app's\n" +
			"owner give the team a role with `paas access:add --team NAME --role ROLE -a APP`.",
		Example: "  paas teams:create backend",
		Args:    argNames([]string{"NAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			if _, err := c.Teams().Create(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Created team %s\n", args[0])
			return nil
		},
	}
}

func newTeamsDestroyCmd(e *env) *cobra.Command {
	var confirm string
	cmd := &cobra.Command{
		Use:   "teams:destroy NAME",
		Short: "Delete a team, its memberships and its roles on apps (platform admins)",
		Long: "Delete a team: its members lose the roles it gave them. Without --confirm, the team\n" +
			"name is asked for on stdin.",
		Example: "  paas teams:destroy backend --confirm backend",
		Args:    argNames([]string{"NAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.destroyTeam(cmd.Context(), args[0], confirm)
		},
	}
	cmd.Flags().StringVar(&confirm, "confirm", "", "the team name again, to skip the question")
	return cmd
}

func (e *env) destroyTeam(ctx context.Context, team, confirm string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if confirm == "" {
		fmt.Fprintf(e.stderr, " !    WARNING: this deletes team %s; its members lose the roles it gave them.\n", team)
		answer, err := e.ask(ctx, "To proceed, type the team name: ", false)
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("no confirmation given; nothing was deleted; to delete %s without the question, pass --confirm %s", team, team)
		}
		if err != nil {
			return err
		}
		confirm = strings.TrimSpace(answer)
	}
	if confirm != team {
		return fmt.Errorf("confirmation %q did not match %q; nothing was deleted", clip(confirm), team)
	}
	if err := c.Teams().Destroy(ctx, team); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Deleted team %s\n", team)
	return nil
}

func newTeamsMembersCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "teams:members NAME",
		Short: "List a team's members",
		Args:  argNames([]string{"NAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			ms, err := c.Teams().Members(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, ms)
			}
			t := newTable(e.stdout, "USER", "SINCE")
			for _, m := range ms {
				t.row(m.User, ago(e.now(), m.CreatedAt))
			}
			return t.flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the members as JSON")
	return cmd
}

func newTeamsAddCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "teams:add NAME USER",
		Short:   "Add a user to a team (platform admins)",
		Example: "  paas teams:add backend ada",
		Args:    argNames([]string{"NAME", "USER"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			if _, err := c.Teams().AddMember(cmd.Context(), args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is now a member of team %s\n", args[1], args[0])
			return nil
		},
	}
}

func newTeamsRemoveCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "teams:remove NAME USER",
		Short:   "Take a user out of a team (platform admins)",
		Example: "  paas teams:remove backend ada",
		Args:    argNames([]string{"NAME", "USER"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			if err := c.Teams().RemoveMember(cmd.Context(), args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s is no longer a member of team %s\n", args[1], args[0])
			return nil
		},
	}
}
