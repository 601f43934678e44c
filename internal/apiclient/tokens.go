package apiclient

import (
	"context"
	"net/http"
	"time"

	"github.com/gitpaas/paas"
)

// Tokens calls the /v1/tokens routes: the caller's own API tokens.
type Tokens struct{ c *Client }

// Tokens returns the handle for the token routes.
func (c *Client) Tokens() *Tokens { return &Tokens{c: c} }

// List returns the caller's tokens that are not revoked, newest first.
func (t *Tokens) List(ctx context.Context) ([]paas.Token, error) {
	var tokens []paas.Token
	if err := t.c.do(ctx, http.MethodGet, nil, &tokens, "v1", "tokens"); err != nil {
		return nil, err
	}
	return nonNil(tokens), nil
}

// Create makes a token with scope that lasts ttl, named name (empty: the
// API names it). The answer carries its secret, shown this once.
func (t *Tokens) Create(ctx context.Context, name string, scope paas.Scope, ttl time.Duration) (*NewToken, error) {
	in := struct {
		Name      string     `json:"name,omitempty"`
		Scope     paas.Scope `json:"scope"`
		ExpiresIn int64      `json:"expires_in"`
	}{name, scope, int64(ttl / time.Second)}
	var out NewToken
	if err := t.c.do(ctx, http.MethodPost, in, &out, "v1", "tokens"); err != nil {
		return nil, err
	}
	return &out, nil
}

// Revoke revokes a token at once.
func (t *Tokens) Revoke(ctx context.Context, id int64) error {
	return t.c.do(ctx, http.MethodDelete, nil, nil, "v1", "tokens", formatID(id))
}
