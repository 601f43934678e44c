package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// Processes calls the /v1/apps/{app}/ps routes: the running instances.
type Processes struct{ c *Client }

// Processes returns the handle for the process routes.
func (c *Client) Processes() *Processes { return &Processes{c: c} }

// List returns the instances of app that run, start or crashed, ordered by
// release, type and name.
func (p *Processes) List(ctx context.Context, app string) ([]paas.ProcessState, error) {
	var ps []paas.ProcessState
	if err := p.c.do(ctx, http.MethodGet, nil, &ps, "v1", "apps", app, "ps"); err != nil {
		return nil, err
	}
	return nonNil(ps), nil
}

// Restart replaces the instances of process type typ of app, or of every
// type when typ is "", one at a time; it returns when all were replaced.
func (p *Processes) Restart(ctx context.Context, app, typ string) error {
	var in any // no body: every type
	if typ != "" {
		in = struct {
			Type string `json:"type"`
		}{typ}
	}
	return p.c.doWith(ctx, p.c.rollout, http.MethodPost, in, nil, "v1", "apps", app, "ps", "restart")
}
