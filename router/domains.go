package router

import (
	"cmp"
	"crypto/tls"
	"slices"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/tlscert"
)

// domainTable is the custom domains the router serves: the app of each
// hostname and the certificate it presents for it. It is replaced whole
// and read through an atomic pointer, like the instance table.
type domainTable struct {
	apps  map[string]string
	certs map[string]*tls.Certificate
	// list is what UpdateDomains accepted, sorted, for the state file.
	list []paas.Domain
}

func newDomainTable() *domainTable {
	return &domainTable{apps: map[string]string{}, certs: map[string]*tls.Certificate{}}
}

// UpdateDomains replaces the custom domains: hostname d.Hostname then
// routes to app d.App, and TLS connections that ask for it by SNI get its
// certificate. A domain with a bad hostname or app name is ignored; one
// whose certificate does not parse is routed all the same, with the
// fallback certificate. It saves the state file. UpdateDomains after
// Close does nothing.
func (r *Router) UpdateDomains(domains []paas.Domain) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.replaceDomains(domains)
	r.save()
}

// replaceDomains must be called with r.mu held.
func (r *Router) replaceDomains(domains []paas.Domain) {
	old := r.domains.Load()
	next := newDomainTable()
	for _, d := range domains {
		if err := r.acceptDomain(d); err != nil {
			r.logger.Warn("domain ignored", "hostname", d.Hostname, "app", d.App, "error", err)
			continue
		}
		next.apps[d.Hostname] = d.App
		next.list = append(next.list, d)
		if old.apps[d.Hostname] != d.App {
			r.logger.Info("domain routed", "hostname", d.Hostname, "app", d.App)
		}
		cert, err := tlscert.Pair(d.CertPEM, d.KeyPEM)
		if err != nil {
			r.logger.Warn("domain certificate unusable; presenting the fallback", "hostname", d.Hostname, "app", d.App, "error", err)
			continue
		}
		next.certs[d.Hostname] = cert
	}
	slices.SortFunc(next.list, func(a, b paas.Domain) int { return cmp.Compare(a.Hostname, b.Hostname) })
	r.domains.Store(next)
}

// acceptDomain reports what keeps d from being routed. A hostname under
// the router's own domain would shadow an app's own name: refused.
func (r *Router) acceptDomain(d paas.Domain) error {
	if err := paas.ValidateHostname(d.Hostname, r.opts.Domain); err != nil {
		return err
	}
	return paas.ValidateAppName(d.App)
}

// Domains returns the custom domains the router serves, sorted by
// hostname, with their certificates and keys.
func (r *Router) Domains() []paas.Domain { return slices.Clone(r.domains.Load().list) }

// appOf returns the app host (a Host header) addresses: <app>.<domain>
// first, then a custom domain.
func (r *Router) appOf(host string) (string, bool) {
	if app, ok := appFromHost(host, r.opts.Domain); ok {
		return app, true
	}
	name, ok := normalizeHost(host)
	if !ok {
		return "", false
	}
	app, ok := r.domains.Load().apps[name]
	return app, ok
}

// TLSConfig returns the configuration of a TLS listener in front of the
// router: it presents the certificate of the custom domain the client
// names by SNI, and fallback for any other name (an app's own
// <app>.<domain>, or a client without SNI). HTTP/2 is not offered: the
// router's request path (body deadlines, upgrades) is HTTP/1.1's.
func (r *Router) TLSConfig(fallback *tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
			if c := r.domains.Load().certs[name]; c != nil {
				return c, nil
			}
			return fallback, nil
		},
	}
}
