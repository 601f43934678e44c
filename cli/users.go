package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newUsersCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "users",
		Short: "List the platform's users (platform admins)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.listUsers(cmd.Context(), asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the users as JSON")
	return cmd
}

func (e *env) listUsers(ctx context.Context, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	users, err := c.Users().List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, users)
	}
	t := newTable(e.stdout, "NAME", "ADMIN", "CREATED")
	for _, u := range users {
		admin := ""
		if u.Admin {
			admin = "yes"
		}
		t.row(u.Name, admin, ago(e.now(), u.CreatedAt))
	}
	return t.flush()
}

func newUsersCreateCmd(e *env) *cobra.Command {
	var admin, passwordStdin bool
	cmd := &cobra.Command{
		Use:   "users:create NAME",
		Short: "Create a user (platform admins); prints a generated password once",
		Long: "Create a user who logs in with `paas login --username NAME`. The platform generates a\n" +
			"password and it is printed once, unless --password-stdin reads one (at least 12\n" +
			"characters) from stdin. --admin makes a platform admin, who may do everything.",
		Example: "  paas users:create ada\n  printf '%s' \"$PASSWORD\" | paas users:create ci-bot --password-stdin",
		Args:    argNames([]string{"NAME"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.createUser(cmd.Context(), args[0], admin, passwordStdin)
		},
	}
	cmd.Flags().BoolVar(&admin, "admin", false, "make the user a platform admin")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from stdin instead of generating one")
	return cmd
}

func (e *env) createUser(ctx context.Context, name string, admin, passwordStdin bool) error {
	var password string
	if passwordStdin {
		var err error
		if password, err = e.ask(ctx, "Password: ", true); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if password == "" {
			return errors.New("no password on stdin; pipe one in, or leave out --password-stdin to have one generated")
		}
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	created, err := c.Users().Create(ctx, name, admin, password)
	if err != nil {
		return err
	}
	kind := "user"
	if created.User.Admin {
		kind = "platform admin"
	}
	fmt.Fprintf(e.stderr, "Created %s %s. They log in with: paas login --username %s\n", kind, created.User.Name, created.User.Name)
	if created.Password != "" {
		fmt.Fprintln(e.stderr, "Their password, shown only now:")
		fmt.Fprintln(e.stdout, created.Password)
	}
	return nil
}
