package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

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
	metas, _, err := s.client.Variables().PrefixList(domainsPrefix, query(ctx))
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", nomadError(err))
	}
	return s.readDomains(ctx, metas, map[string]cachedDomain{})
}

// WatchDomains calls fn with every published domain: once when it first
// reads them, then each time one changes. Like WatchRoutes it backs off
// and retries while Nomad does not answer, without calling fn, so that the
// router keeps the domains it knows. It returns nil when ctx ends.
func (s *Scheduler) WatchDomains(ctx context.Context, fn func([]paas.Domain)) error {
	var (
		index   uint64
		backoff time.Duration
		last    []paas.Domain
		known   bool
		cache   = map[string]cachedDomain{}
	)
	for ctx.Err() == nil {
		metas, qm, err := s.client.Variables().PrefixList(domainsPrefix, blocking(ctx, index, blockingWait))
		if err == nil {
			var domains []paas.Domain
			domains, err = s.readDomains(ctx, metas, cache)
			if err == nil {
				backoff, index = 0, nextIndex(qm.LastIndex)
				if !known || !slices.Equal(domains, last) {
					fn(slices.Clone(domains))
					last, known = domains, true
				}
				continue
			}
		}
		if ctx.Err() != nil {
			break
		}
		backoff = min(max(2*backoff, watchBackoffMin), watchBackoffMax)
		s.log.Warn("watch domains", "error", err, "retry_in", backoff.String())
		sleep(ctx, backoff)
		index = 0
	}
	return nil
}

// cachedDomain is a domain read at its variable's modify index, so that a
// change to one domain reads only that one again.
type cachedDomain struct {
	index  uint64
	domain paas.Domain
}

func (s *Scheduler) readDomains(ctx context.Context, metas []*api.VariableMetadata, cache map[string]cachedDomain) ([]paas.Domain, error) {
	seen := map[string]bool{}
	var domains []paas.Domain
	for _, m := range metas {
		seen[m.Path] = true
		c, ok := cache[m.Path]
		if !ok || c.index != m.ModifyIndex {
			v, _, err := s.client.Variables().Peek(m.Path, query(ctx))
			if err != nil {
				return nil, fmt.Errorf("read domain %s: %w", m.Path, nomadError(err))
			}
			if v == nil {
				continue // deleted since the listing
			}
			d, err := parseDomain(m.Path, v.Items)
			if err != nil {
				s.log.Warn("domain ignored", "path", m.Path, "error", err)
				continue
			}
			c = cachedDomain{index: m.ModifyIndex, domain: d}
			cache[m.Path] = c
		}
		domains = append(domains, c.domain)
	}
	for p := range cache {
		if !seen[p] {
			delete(cache, p)
		}
	}
	slices.SortFunc(domains, func(a, b paas.Domain) int { return strings.Compare(a.Hostname, b.Hostname) })
	return domains, nil
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
