package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// Domains calls the /v1/apps/{app}/domains routes.
type Domains struct{ c *Client }

// Domains returns the handle for the custom domain routes.
func (c *Client) Domains() *Domains { return &Domains{c: c} }

// List returns app's custom domains.
func (d *Domains) List(ctx context.Context, app string) ([]paas.Domain, error) {
	var ds []paas.Domain
	if err := d.c.do(ctx, http.MethodGet, nil, &ds, "v1", "apps", app, "domains"); err != nil {
		return nil, err
	}
	return nonNil(ds), nil
}

// Add gives hostname to app, with the PEM certificate chain and key given,
// or a self-signed certificate when both are empty.
func (d *Domains) Add(ctx context.Context, app, hostname, certPEM, keyPEM string) (*paas.Domain, error) {
	in := struct {
		Hostname string `json:"hostname"`
		CertPEM  string `json:"cert_pem,omitempty"`
		KeyPEM   string `json:"key_pem,omitempty"`
	}{hostname, certPEM, keyPEM}
	var out paas.Domain
	if err := d.c.do(ctx, http.MethodPost, in, &out, "v1", "apps", app, "domains"); err != nil {
		return nil, err
	}
	return &out, nil
}

// Remove takes hostname from app.
func (d *Domains) Remove(ctx context.Context, app, hostname string) error {
	return d.c.do(ctx, http.MethodDelete, nil, nil, "v1", "apps", app, "domains", hostname)
}
