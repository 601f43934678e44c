package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// Traffic calls the routes that move an app's traffic: maintenance mode
// and canaries.
type Traffic struct{ c *Client }

// Traffic returns the handle for maintenance and canary routes.
func (c *Client) Traffic() *Traffic { return &Traffic{c: c} }

type maintenanceState struct {
	Enabled *bool `json:"enabled"`
}

// Maintenance reports whether app is in maintenance mode.
func (t *Traffic) Maintenance(ctx context.Context, app string) (bool, error) {
	var out maintenanceState
	if err := t.c.do(ctx, http.MethodGet, nil, &out, "v1", "apps", app, "maintenance"); err != nil {
		return false, err
	}
	return out.Enabled != nil && *out.Enabled, nil
}

// SetMaintenance turns app's maintenance mode on or off.
func (t *Traffic) SetMaintenance(ctx context.Context, app string, on bool) error {
	return t.c.do(ctx, http.MethodPut, maintenanceState{Enabled: &on}, nil, "v1", "apps", app, "maintenance")
}

// Canary returns app's canary in progress.
func (t *Traffic) Canary(ctx context.Context, app string) (*paas.CanaryStatus, error) {
	var out paas.CanaryStatus
	if err := t.c.do(ctx, http.MethodGet, nil, &out, "v1", "apps", app, "canary"); err != nil {
		return nil, err
	}
	return &out, nil
}

// PromoteCanary gives app's canary all the traffic now.
func (t *Traffic) PromoteCanary(ctx context.Context, app string) error {
	return t.c.do(ctx, http.MethodPost, nil, nil, "v1", "apps", app, "canary", "promote")
}

// AbortCanary sends app's traffic back to the stable release.
func (t *Traffic) AbortCanary(ctx context.Context, app string) error {
	return t.c.do(ctx, http.MethodPost, nil, nil, "v1", "apps", app, "canary", "abort")
}
