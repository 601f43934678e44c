package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// Webhooks calls the /v1/apps/{app}/webhooks routes.
type Webhooks struct{ c *Client }

// Webhooks returns the handle for the webhook routes.
func (c *Client) Webhooks() *Webhooks { return &Webhooks{c: c} }

// List returns app's webhooks, without secrets.
func (w *Webhooks) List(ctx context.Context, app string) ([]paas.Webhook, error) {
	var hooks []paas.Webhook
	if err := w.c.do(ctx, http.MethodGet, nil, &hooks, "v1", "apps", app, "webhooks"); err != nil {
		return nil, err
	}
	return nonNil(hooks), nil
}

// Create adds a webhook; the returned one carries its secret, shown once.
func (w *Webhooks) Create(ctx context.Context, app, url string, events []string) (*paas.Webhook, error) {
	in := struct {
		URL    string   `json:"url"`
		Events []string `json:"events,omitempty"`
	}{url, events}
	var hook paas.Webhook
	if err := w.c.do(ctx, http.MethodPost, in, &hook, "v1", "apps", app, "webhooks"); err != nil {
		return nil, err
	}
	return &hook, nil
}

// Delete removes a webhook.
func (w *Webhooks) Delete(ctx context.Context, app string, id int64) error {
	return w.c.do(ctx, http.MethodDelete, nil, nil, "v1", "apps", app, "webhooks", formatID(id))
}

// Deliveries lists a webhook's newest deliveries.
func (w *Webhooks) Deliveries(ctx context.Context, app string, id int64) ([]paas.Delivery, error) {
	var ds []paas.Delivery
	if err := w.c.do(ctx, http.MethodGet, nil, &ds, "v1", "apps", app, "webhooks", formatID(id), "deliveries"); err != nil {
		return nil, err
	}
	return nonNil(ds), nil
}
