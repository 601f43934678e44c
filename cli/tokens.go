package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/spf13/cobra"
)

func newTokensCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "List your API tokens (never their secrets)",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.listTokens(cmd.Context(), asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the tokens as JSON")
	return cmd
}

func (e *env) listTokens(ctx context.Context, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	tokens, err := c.Tokens().List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, tokens)
	}
	t := newTable(e.stdout, "ID", "NAME", "SCOPE", "EXPIRES", "LAST USED")
	for _, tok := range tokens {
		used := "never"
		if tok.LastUsedAt != nil {
			used = ago(e.now(), *tok.LastUsedAt)
		}
		t.row(tok.ID, tok.Name, tok.Scope, expiry(tok.ExpiresAt), used)
	}
	return t.flush()
}

func newTokensCreateCmd(e *env) *cobra.Command {
	var name, scope, expires string
	cmd := &cobra.Command{
		Use:   "tokens:create",
		Short: "Create an API token, for CI say, and print it once",
		Long: "Create an API token with a scope: read (look only), deploy (also push, change config,\n" +
			"scale, roll back, run) or admin (everything you may do). A token is never stronger than\n" +
			"the one you create it with. Its secret is printed once; store it where it is needed.",
		Example: "  paas tokens:create --scope deploy --expires 90d --name github-actions",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.createToken(cmd.Context(), name, scope, expires)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "what the token is for (default: the date)")
	cmd.Flags().StringVar(&scope, "scope", "", "read, deploy or admin (required)")
	cmd.Flags().StringVar(&expires, "expires", "30d", "lifetime, such as 12h, 30d or 1y (at most 366d)")
	return cmd
}

func (e *env) createToken(ctx context.Context, name, rawScope, expires string) error {
	if rawScope == "" {
		return usageErrorf("missing --scope: read, deploy or admin")
	}
	scope, err := paas.ParseScope(rawScope)
	if err != nil {
		return usageErrorf("%s", paas.ErrorMessage(err))
	}
	ttl, err := parseLifetime(expires)
	if err != nil {
		return err
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	tok, err := c.Tokens().Create(ctx, name, scope, ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Created token %d %q with scope %s, expiring %s. It is shown only now:\n",
		tok.ID, tok.Name, tok.Scope, expiry(tok.ExpiresAt))
	fmt.Fprintln(e.stdout, tok.Secret)
	return nil
}

// parseLifetime reads a token lifetime: Nd days, Ny years, or a Go
// duration such as 12h.
func parseLifetime(s string) (time.Duration, error) {
	bad := usageErrorf("--expires %q is not a lifetime such as 12h, 30d or 1y", s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "y": 365 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 {
				return 0, bad
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}

// expiry says when a token expires, "never" for never.
func expiry(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return stamp(*t)
}

func newTokensRevokeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "tokens:revoke ID",
		Short: "Revoke an API token at once",
		Args:  argNames([]string{"ID"}, 0),
		RunE:  func(cmd *cobra.Command, args []string) error { return e.revokeToken(cmd.Context(), args[0]) },
	}
}

func (e *env) revokeToken(ctx context.Context, raw string) error {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return usageErrorf("token ID %q is not a number; list your tokens with: paas tokens", raw)
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	if err := c.Tokens().Revoke(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Revoked token %d\n", id)
	return nil
}
