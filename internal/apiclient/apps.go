package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// App is an app as the API shows it: the fields of paas.App plus the URLs
// to push to and to browse.
type App struct {
	paas.App
	GitURL string `json:"git_url"`
	WebURL string `json:"web_url"`
	// LastDrift is the last drift between the desired and the running
	// state that the platform repaired. Only Get fills it, and only when
	// there was one.
	LastDrift *paas.Event `json:"last_drift,omitempty"`
}

// Apps calls the /v1/apps routes.
type Apps struct{ c *Client }

// Apps returns the handle for the app routes.
func (c *Client) Apps() *Apps { return &Apps{c: c} }

// List returns every app the caller may see, sorted by name.
func (a *Apps) List(ctx context.Context) ([]App, error) {
	var apps []App
	if err := a.c.do(ctx, http.MethodGet, nil, &apps, "v1", "apps"); err != nil {
		return nil, err
	}
	return nonNil(apps), nil
}

// Create creates an app with its git repository.
func (a *Apps) Create(ctx context.Context, name string) (*App, error) {
	var app App
	in := struct {
		Name string `json:"name"`
	}{name}
	if err := a.c.do(ctx, http.MethodPost, in, &app, "v1", "apps"); err != nil {
		return nil, err
	}
	return &app, nil
}

// Get returns one app.
func (a *Apps) Get(ctx context.Context, name string) (*App, error) {
	var app App
	if err := a.c.do(ctx, http.MethodGet, nil, &app, "v1", "apps", name); err != nil {
		return nil, err
	}
	return &app, nil
}

// Delete destroys an app: its processes, repository, builds and releases.
func (a *Apps) Delete(ctx context.Context, name string) error {
	return a.c.do(ctx, http.MethodDelete, nil, nil, "v1", "apps", name)
}

// nonNil turns a JSON null list into an empty one, so that callers that
// print it print [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
