package apiclient

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/gitpaas/paas"
)

// Builds calls the /v1/apps/{app}/builds routes.
type Builds struct{ c *Client }

// Builds returns the handle for the build routes.
func (c *Client) Builds() *Builds { return &Builds{c: c} }

// List returns the builds of app, newest first.
func (b *Builds) List(ctx context.Context, app string) ([]paas.Build, error) {
	var builds []paas.Build
	if err := b.c.do(ctx, http.MethodGet, nil, &builds, "v1", "apps", app, "builds"); err != nil {
		return nil, err
	}
	return nonNil(builds), nil
}

// Get returns one build of app.
func (b *Builds) Get(ctx context.Context, app string, id int64) (*paas.Build, error) {
	var build paas.Build
	if err := b.c.do(ctx, http.MethodGet, nil, &build, "v1", "apps", app, "builds", formatID(id)); err != nil {
		return nil, err
	}
	return &build, nil
}

// Log returns the output of a build as plain text. The caller closes it.
func (b *Builds) Log(ctx context.Context, app string, id int64) (io.ReadCloser, error) {
	resp, err := b.c.send(ctx, http.MethodGet, nil, "v1", "apps", app, "builds", formatID(id), "log")
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }
