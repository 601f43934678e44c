package apiclient

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gitpaas/paas"
)

// Autoscale calls the /v1/apps/{app}/autoscale routes.
type Autoscale struct{ c *Client }

// Autoscale returns the handle for the autoscaling routes.
func (c *Client) Autoscale() *Autoscale { return &Autoscale{c: c} }

// AutoscaleRequest is a policy to set; durations are strings like "200ms".
type AutoscaleRequest struct {
	Min            *int   `json:"min,omitempty"`
	Max            int    `json:"max"`
	TargetInflight int    `json:"target_inflight,omitempty"`
	TargetRPS      int    `json:"target_rps,omitempty"`
	TargetP95      string `json:"target_p95,omitempty"`
	Idle           string `json:"idle,omitempty"`
}

// List returns app's policies with their counts and latest reasoning.
func (a *Autoscale) List(ctx context.Context, app string) ([]paas.AutoscaleStatus, error) {
	var out []paas.AutoscaleStatus
	if err := a.c.do(ctx, http.MethodGet, nil, &out, "v1", "apps", app, "autoscale"); err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// Enable sets the policy of one process type.
func (a *Autoscale) Enable(ctx context.Context, app, process string, req AutoscaleRequest) (*paas.AutoscalePolicy, error) {
	var out paas.AutoscalePolicy
	if err := a.c.do(ctx, http.MethodPut, req, &out, "v1", "apps", app, "autoscale", process); err != nil {
		return nil, err
	}
	return &out, nil
}

// Disable turns autoscaling of one process type off.
func (a *Autoscale) Disable(ctx context.Context, app, process string) error {
	return a.c.do(ctx, http.MethodDelete, nil, nil, "v1", "apps", app, "autoscale", process)
}

// Events returns what happened to app outside pushes, newest first, of
// kind ("" for all).
func (a *Autoscale) Events(ctx context.Context, app, kind string) ([]paas.Event, error) {
	var out []paas.Event
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if err := a.c.doQuery(ctx, http.MethodGet, q, nil, &out, "v1", "apps", app, "events"); err != nil {
		return nil, err
	}
	return nonNil(out), nil
}
