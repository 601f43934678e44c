package apiclient

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gitpaas/paas"
)

// Releases calls the /v1/apps/{app}/releases routes.
type Releases struct{ c *Client }

// Releases returns the handle for the release routes.
func (c *Client) Releases() *Releases { return &Releases{c: c} }

// List returns the releases of app, newest first.
func (r *Releases) List(ctx context.Context, app string) ([]paas.Release, error) {
	var releases []paas.Release
	if err := r.c.do(ctx, http.MethodGet, nil, &releases, "v1", "apps", app, "releases"); err != nil {
		return nil, err
	}
	return nonNil(releases), nil
}

// Get returns release number version of app.
func (r *Releases) Get(ctx context.Context, app string, version int) (*paas.Release, error) {
	var rel paas.Release
	if err := r.c.do(ctx, http.MethodGet, nil, &rel, "v1", "apps", app, "releases", strconv.Itoa(version)); err != nil {
		return nil, err
	}
	return &rel, nil
}

// Rollback makes and rolls out a new release of app with the image, config
// vars and formation of release number version, or, when version is 0, of
// the last release before the current one that ran. It returns the new
// release.
func (r *Releases) Rollback(ctx context.Context, app string, version int) (*paas.Release, error) {
	var in any // no body: the server picks the release
	if version != 0 {
		in = struct {
			Version int `json:"version"`
		}{version}
	}
	var rel paas.Release
	if err := r.c.doWith(ctx, r.c.rollout, http.MethodPost, in, &rel, "v1", "apps", app, "rollback"); err != nil {
		return nil, err
	}
	return &rel, nil
}
