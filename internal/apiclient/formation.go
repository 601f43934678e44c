package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// Formation calls the /v1/apps/{app}/formation routes: how many instances
// of each process type the current release runs.
type Formation struct{ c *Client }

// Formation returns the handle for the formation routes.
func (c *Client) Formation() *Formation { return &Formation{c: c} }

// List returns the process types of app's current release with their
// counts; it is empty before the first release.
func (f *Formation) List(ctx context.Context, app string) ([]paas.Process, error) {
	var procs []paas.Process
	if err := f.c.do(ctx, http.MethodGet, nil, &procs, "v1", "apps", app, "formation"); err != nil {
		return nil, err
	}
	return nonNil(procs), nil
}

// Scale sets the instance counts of the given process types (0 stops a
// type), and returns the release the server made and rolled out with them.
func (f *Formation) Scale(ctx context.Context, app string, counts map[string]int) (*paas.Release, error) {
	var rel paas.Release
	if err := f.c.doWith(ctx, f.c.rollout, http.MethodPatch, counts, &rel, "v1", "apps", app, "formation"); err != nil {
		return nil, err
	}
	return &rel, nil
}
