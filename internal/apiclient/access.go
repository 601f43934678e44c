package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// Access calls the /v1/apps/{app}/access routes: who has which role on an
// app.
type Access struct{ c *Client }

// Access returns the handle for the access routes.
func (c *Client) Access() *Access { return &Access{c: c} }

// List returns the users and teams with a role on app: owners, then
// deployers, then viewers.
func (a *Access) List(ctx context.Context, app string) ([]paas.Collaborator, error) {
	var cs []paas.Collaborator
	if err := a.c.do(ctx, http.MethodGet, nil, &cs, "v1", "apps", app, "access"); err != nil {
		return nil, err
	}
	return nonNil(cs), nil
}

// Set gives user role on app, replacing any role they had.
func (a *Access) Set(ctx context.Context, app, user string, role paas.Role) (*paas.Collaborator, error) {
	in := struct {
		Role paas.Role `json:"role"`
	}{role}
	var out paas.Collaborator
	if err := a.c.do(ctx, http.MethodPut, in, &out, "v1", "apps", app, "access", user); err != nil {
		return nil, err
	}
	return &out, nil
}

// Remove takes user's role on app away.
func (a *Access) Remove(ctx context.Context, app, user string) error {
	return a.c.do(ctx, http.MethodDelete, nil, nil, "v1", "apps", app, "access", user)
}

// SetTeam gives team role on app, replacing any role it had there. Its
// members hold the role, unless they hold a higher one.
func (a *Access) SetTeam(ctx context.Context, app, team string, role paas.Role) (*paas.Collaborator, error) {
	in := struct {
		Role paas.Role `json:"role"`
	}{role}
	var out paas.Collaborator
	if err := a.c.do(ctx, http.MethodPut, in, &out, "v1", "apps", app, "access", "teams", team); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveTeam takes team's role on app away.
func (a *Access) RemoveTeam(ctx context.Context, app, team string) error {
	return a.c.do(ctx, http.MethodDelete, nil, nil, "v1", "apps", app, "access", "teams", team)
}
