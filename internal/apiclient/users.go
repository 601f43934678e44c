package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// Whoami returns the user the client's token belongs to. It is the cheapest
// way to check a token.
func (c *Client) Whoami(ctx context.Context) (*paas.User, error) {
	var u paas.User
	if err := c.do(ctx, http.MethodGet, nil, &u, "v1", "whoami"); err != nil {
		return nil, err
	}
	return &u, nil
}
