package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gitpaas/paas"
)

// Domains lists, adds and removes an app's custom domains.
type Domains interface {
	List(ctx context.Context, app string) ([]*paas.Domain, error)
	Add(ctx context.Context, app string, user *paas.User, hostname, certPEM, keyPEM string) (*paas.Domain, error)
	Remove(ctx context.Context, app, hostname string) error
}

// customDomains lists the app's custom domains into o, when the platform
// has a domains service. A failure is logged and noted on the page.
func (c *Console) customDomains(r *request, o *overview) {
	if o.HasDomains = c.svc.Domains != nil; !o.HasDomains {
		return
	}
	ds, err := c.svc.Domains.List(r.Context(), r.app.Name)
	if err != nil {
		c.logger.Warn("console overview", "app", r.app.Name, "part", "domains", "error", err)
	}
	o.CustomDomains, o.DomainsFailed = ds, err != nil
}

// addDomain gives the app a custom domain with a self-signed certificate;
// uploading a certificate is for the CLI and the API.
func (c *Console) addDomain(w http.ResponseWriter, r *request) {
	host := strings.TrimSpace(r.PostFormValue("hostname"))
	d, err := c.svc.Domains.Add(r.Context(), r.app.Name, &r.id.User, host, "", "")
	c.audit(r.Request, r.id, "domain.add", r.app.Name, statusOf(err))
	msg := ""
	if d != nil {
		msg = "Added " + d.Hostname + ", with a self-signed certificate until " + d.CertNotAfter.Format("2006-01-02") + ". Point its DNS at the router."
	}
	c.done(w, r, Prefix+"/apps/"+r.app.Name, err, msg)
}

func (c *Console) removeDomain(w http.ResponseWriter, r *request) {
	host := strings.TrimSpace(r.PostFormValue("hostname"))
	err := c.svc.Domains.Remove(r.Context(), r.app.Name, host)
	c.audit(r.Request, r.id, "domain.remove", r.app.Name, statusOf(err))
	c.done(w, r, Prefix+"/apps/"+r.app.Name, err, "Removed "+clip(host, paas.MaxHostnameLen)+".")
}
