package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// Teams calls the /v1/teams routes: teams and their members. Platform
// admins make and change teams; owners give teams roles on apps with
// Access.SetTeam.
type Teams struct{ c *Client }

// Teams returns the handle for the team routes.
func (c *Client) Teams() *Teams { return &Teams{c: c} }

// List returns the caller's teams, or every team for platform admins.
func (t *Teams) List(ctx context.Context) ([]paas.Team, error) {
	var teams []paas.Team
	if err := t.c.do(ctx, http.MethodGet, nil, &teams, "v1", "teams"); err != nil {
		return nil, err
	}
	return nonNil(teams), nil
}

// Create makes a team without members.
func (t *Teams) Create(ctx context.Context, name string) (*paas.Team, error) {
	in := struct {
		Name string `json:"name"`
	}{name}
	var out paas.Team
	if err := t.c.do(ctx, http.MethodPost, in, &out, "v1", "teams"); err != nil {
		return nil, err
	}
	return &out, nil
}

// Destroy deletes a team, its memberships and its roles on apps.
func (t *Teams) Destroy(ctx context.Context, name string) error {
	return t.c.do(ctx, http.MethodDelete, nil, nil, "v1", "teams", name)
}

// Members returns the members of team.
func (t *Teams) Members(ctx context.Context, team string) ([]paas.TeamMember, error) {
	var ms []paas.TeamMember
	if err := t.c.do(ctx, http.MethodGet, nil, &ms, "v1", "teams", team, "members"); err != nil {
		return nil, err
	}
	return nonNil(ms), nil
}

// AddMember makes user a member of team.
func (t *Teams) AddMember(ctx context.Context, team, user string) (*paas.TeamMember, error) {
	var out paas.TeamMember
	if err := t.c.do(ctx, http.MethodPut, nil, &out, "v1", "teams", team, "members", user); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveMember takes user out of team.
func (t *Teams) RemoveMember(ctx context.Context, team, user string) error {
	return t.c.do(ctx, http.MethodDelete, nil, nil, "v1", "teams", team, "members", user)
}
