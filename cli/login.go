package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/spf13/cobra"
)

func newLoginCmd(e *env) *cobra.Command {
	var api, token, username string
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in with a password or an API token, and save the token in ~/.netrc",
		Long: "Log in with an API token, or with --username and a password, which the API trades for a\n" +
			"token that lasts 30 days. The token is checked with the API, then saved in ~/.netrc,\n" +
			"where git finds it too, so that `git push` authenticates with it. The API URL is saved in\n" +
			"$XDG_CONFIG_HOME/paas/config.json. The token comes from --token, else $PAAS_TOKEN, else\n" +
			"it is asked for. The password is always asked for (without echo on a terminal) or read\n" +
			"from stdin, never taken from a flag.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if username != "" {
				if token != "" {
					return usageErrorf("use either --username or --token, not both")
				}
				return e.loginWithPassword(cmd.Context(), api, username)
			}
			return e.login(cmd.Context(), api, token)
		},
	}
	cmd.Flags().StringVar(&api, "api", "", "API URL (default: $PAAS_API_URL, else the saved URL, else http://127.0.0.1:5050)")
	cmd.Flags().StringVar(&token, "token", "", "API token (default: $PAAS_TOKEN, else asked for)")
	cmd.Flags().StringVarP(&username, "username", "u", "", "log in as this user with a password, which is asked for")
	return cmd
}

// loginWithPassword asks for the password of user name, trades it for a
// token and saves the token and the API URL.
func (e *env) loginWithPassword(ctx context.Context, apiFlag, name string) error {
	addr, err := e.apiAddress(apiFlag)
	if err != nil {
		return err
	}
	password, err := e.ask(ctx, "Password: ", true)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if password == "" {
		return errors.New("no password given; type it when asked, or pipe it on stdin")
	}
	c, err := e.newClient(addr, "")
	if err != nil {
		return err
	}
	tok, err := c.Login(ctx, name, password)
	if paas.ErrorCode(err) == paas.EUNAUTHORIZED {
		return errors.New(paas.ErrorMessage(err)) // not "your token was rejected"
	}
	if err != nil {
		return err
	}
	if err := e.saveCredentials(netrcHost(addr), tok.User, tok.Secret); err != nil {
		return err
	}
	if err := e.saveAPIURL(addr.String()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Logged in as %s (the token expires %s)\n", tok.User, expiry(tok.ExpiresAt))
	return nil
}

// login checks a token with the API and saves it and the API URL.
func (e *env) login(ctx context.Context, apiFlag, tokenFlag string) error {
	addr, err := e.apiAddress(apiFlag)
	if err != nil {
		return err
	}
	token, err := e.loginToken(ctx, tokenFlag)
	if err != nil {
		return err
	}
	c, err := e.newClient(addr, token)
	if err != nil {
		return err
	}
	user, err := c.Whoami(ctx)
	if paas.ErrorCode(err) == paas.EUNAUTHORIZED {
		return fmt.Errorf("the API at %s rejected this token; check it and try again", c.Address())
	}
	if err != nil {
		return err
	}
	if err := e.saveCredentials(netrcHost(addr), user.Name, token); err != nil {
		return err
	}
	if err := e.saveAPIURL(addr.String()); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Logged in as %s\n", user.Name)
	return nil
}

// loginToken returns the token from the flag, else $PAAS_TOKEN, else asks
// for it on stdin.
func (e *env) loginToken(ctx context.Context, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if t := e.getenv("PAAS_TOKEN"); t != "" {
		return t, nil
	}
	t, err := e.ask(ctx, "Token: ", true)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if t = strings.TrimSpace(t); t == "" {
		return "", errors.New("no token given; pass --token TOKEN, set PAAS_TOKEN, or type it when asked")
	}
	return t, nil
}

// saveAPIURL remembers the API URL for the next commands.
func (e *env) saveAPIURL(u string) error {
	c, err := e.loadConfig()
	if err != nil {
		return err
	}
	c.APIURL = u
	return e.saveConfig(c)
}

func newLogoutCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the API token from ~/.netrc",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.logout() },
	}
}

// logout removes the netrc entry of the API host.
func (e *env) logout() error {
	addr, err := e.apiAddress("")
	if err != nil {
		return err
	}
	removed, err := e.removeCredentials(netrcHost(addr))
	if err != nil {
		return err
	}
	if !removed {
		fmt.Fprintf(e.stdout, "Not logged in to %s; nothing to do\n", netrcHost(addr))
		return nil
	}
	fmt.Fprintf(e.stdout, "Logged out of %s\n", netrcHost(addr))
	return nil
}

func newWhoamiCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "auth:whoami",
		Short: "Show the user the token belongs to",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.whoami(cmd.Context(), asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the user as JSON")
	return cmd
}

func (e *env) whoami(ctx context.Context, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	u, err := c.Whoami(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, u)
	}
	fmt.Fprintln(e.stdout, u.Name)
	return nil
}
