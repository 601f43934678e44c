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

// NewToken is a token just made, by a login or on request: the token as
// listed and its secret, which the API shows this once.
type NewToken struct {
	paas.Token
	Secret string `json:"secret"`
}

// Login trades a user name and password for a new token with the user's
// rights. It needs no token; the API limits attempts and answers
// paas.ERATELIMITED when there were too many.
func (c *Client) Login(ctx context.Context, name, password string) (*NewToken, error) {
	in := struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}{name, password}
	var t NewToken
	if err := c.do(ctx, http.MethodPost, in, &t, "v1", "login"); err != nil {
		return nil, err
	}
	return &t, nil
}

// Users calls the /v1/users routes, which are for platform admins.
type Users struct{ c *Client }

// Users returns the handle for the user routes.
func (c *Client) Users() *Users { return &Users{c: c} }

// CreatedUser is a user just made, with their password when the API
// generated it.
type CreatedUser struct {
	User     paas.User `json:"user"`
	Password string    `json:"password,omitempty"`
}

// List returns every user, sorted by name.
func (u *Users) List(ctx context.Context) ([]paas.User, error) {
	var users []paas.User
	if err := u.c.do(ctx, http.MethodGet, nil, &users, "v1", "users"); err != nil {
		return nil, err
	}
	return nonNil(users), nil
}

// Create makes a user. An empty password has the API generate one, which
// the answer carries.
func (u *Users) Create(ctx context.Context, name string, admin bool, password string) (*CreatedUser, error) {
	in := struct {
		Name     string `json:"name"`
		Admin    bool   `json:"admin"`
		Password string `json:"password,omitempty"`
	}{name, admin, password}
	var out CreatedUser
	if err := u.c.do(ctx, http.MethodPost, in, &out, "v1", "users"); err != nil {
		return nil, err
	}
	return &out, nil
}
