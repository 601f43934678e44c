package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// Custom domains live in Nomad's variables, one per hostname under
// domainsPrefix, with the app, the certificate and its private key: the
// routers follow Nomad already, Nomad encrypts variables at rest, and a
// router then keeps its domains when paasd or Postgres is down.
const (
	domainsPrefix = "paas/domains/"
	// maxVariablePath is Nomad's limit on a variable's path.
	maxVariablePath = 128
	domainHostItem  = "hostname"
	domainAppItem   = "app"
	domainCertItem  = "cert"
	domainKeyItem   = "key"
)

// domainPath returns the variable path of hostname. Nomad's paths allow
// [a-zA-Z0-9-_~/] and no dots, so dots become '~' (hostnames never hold
// one); a hostname too long for Nomad's 128 characters is named by its
// SHA-256 instead. The variable holds the hostname itself either way.
func domainPath(hostname string) string {
	p := domainsPrefix + strings.ReplaceAll(hostname, ".", "~")
	if len(p) <= maxVariablePath {
		return p
	}
	sum := sha256.Sum256([]byte(hostname))
	return domainsPrefix + "sha256-" + hex.EncodeToString(sum[:])
}

// SetDomain publishes d (Hostname, App, CertPEM, KeyPEM) to the routers,
// which see it within a blocking query's round trip.
func (s *Scheduler) SetDomain(ctx context.Context, d paas.Domain) error {
	if err := paas.ValidateAppName(d.App); err != nil {
		return err
	}
	v := &api.Variable{Path: domainPath(d.Hostname), Items: api.VariableItems{
		domainHostItem: d.Hostname, domainAppItem: d.App, domainCertItem: d.CertPEM, domainKeyItem: d.KeyPEM}}
	if _, _, err := s.client.Variables().Create(v, write(ctx)); err != nil {
		return fmt.Errorf("publish domain %s: %w", d.Hostname, nomadError(err))
	}
	s.log.Info("domain published", "app", d.App, "hostname", d.Hostname)
	return nil
}

// DeleteDomain stops routing hostname; a hostname not published is no
// error.
func (s *Scheduler) DeleteDomain(ctx context.Context, hostname string) error {
	if _, err := s.client.Variables().Delete(domainPath(hostname), write(ctx)); err != nil && !isNotFound(err) {
		return fmt.Errorf("unpublish domain %s: %w", hostname, nomadError(err))
	}
	s.log.Info("domain unpublished", "hostname", hostname)
	return nil
}

// Domains returns every published domain, sorted by hostname, with its
// certificate and key.
func (s *Scheduler) Domains(ctx context.Context) ([]paas.Domain, error) {
	return listVariables(ctx, s, domainSet)
}

// WatchDomains calls fn with every published domain: once when it first
// reads them, then each time one changes. Like WatchRoutes it backs off
// and retries while Nomad does not answer, without calling fn, so that the
// router keeps the domains it knows. It returns nil when ctx ends.
func (s *Scheduler) WatchDomains(ctx context.Context, fn func([]paas.Domain)) error {
	return watchVariables(ctx, s, domainSet, fn)
}

// domainSet is the published domains, one variable each, by hostname.
var domainSet = variableSet[paas.Domain]{
	what: "domain", prefix: domainsPrefix, parse: parseDomain,
	compare: func(a, b paas.Domain) int { return strings.Compare(a.Hostname, b.Hostname) },
}

func parseDomain(path string, items api.VariableItems) (paas.Domain, error) {
	d := paas.Domain{Hostname: items[domainHostItem], App: items[domainAppItem],
		CertPEM: items[domainCertItem], KeyPEM: items[domainKeyItem]}
	switch {
	case domainPath(d.Hostname) != path:
		return paas.Domain{}, fmt.Errorf("variable names hostname %q, which belongs at %s", d.Hostname, domainPath(d.Hostname))
	case d.CertPEM == "" || d.KeyPEM == "":
		return paas.Domain{}, fmt.Errorf("domain %s has no certificate or key", d.Hostname)
	}
	if err := paas.ValidateHostname(d.Hostname, ""); err != nil {
		return paas.Domain{}, err
	}
	return d, paas.ValidateAppName(d.App)
}
