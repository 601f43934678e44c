// Package domains adds and removes the custom domains of apps. Postgres
// holds the truth (the hostname's app, its certificate, its key sealed);
// the routers learn it from Nomad, where the service publishes each domain
// and, every SyncInterval, repairs what a failed call or a destroyed app
// left different.
package domains

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/tlscert"
)

// DefaultSyncInterval is how often Run makes Nomad's domains those of the
// database.
const DefaultSyncInterval = time.Minute

// Store keeps domains.
type Store interface {
	CreateDomain(ctx context.Context, d *paas.Domain) (*paas.Domain, error)
	ListDomains(ctx context.Context, app string) ([]*paas.Domain, error)
	AllDomains(ctx context.Context) ([]*paas.Domain, error)
	DeleteDomain(ctx context.Context, app, hostname string) error
}

// Publisher tells the routers about domains.
type Publisher interface {
	SetDomain(ctx context.Context, d paas.Domain) error
	DeleteDomain(ctx context.Context, hostname string) error
	Domains(ctx context.Context) ([]paas.Domain, error)
}

// Options configure the Service.
type Options struct {
	// PlatformDomain is the domain under which apps are served as
	// <app>.<domain>; no custom domain may fall under it.
	PlatformDomain string
	// SyncInterval is how often Run syncs; zero means DefaultSyncInterval.
	SyncInterval time.Duration
}

// Service adds, lists and removes custom domains.
type Service struct {
	opts   Options
	store  Store
	pub    Publisher
	logger *slog.Logger
	now    func() time.Time
}

// New returns a Service.
func New(opts Options, store Store, pub Publisher, logger *slog.Logger) *Service {
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = DefaultSyncInterval
	}
	return &Service{opts: opts, store: store, pub: pub, logger: logger, now: time.Now}
}

// Add gives hostname to app with the PEM certificate chain and key given,
// or with a new self-signed certificate when both are empty, and publishes
// it to the routers. Either both happen or neither does.
func (s *Service) Add(ctx context.Context, app string, user *paas.User, hostname, certPEM, keyPEM string) (*paas.Domain, error) {
	if err := paas.ValidateHostname(hostname, s.opts.PlatformDomain); err != nil {
		return nil, err
	}
	d, err := s.certify(hostname, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	d.App, d.CreatedBy = app, user.Name
	created, err := s.store.CreateDomain(ctx, d)
	if err != nil {
		return nil, err
	}
	if err := s.pub.SetDomain(ctx, *created); err != nil {
		// Undo the row: a domain the routers do not know is not added.
		if derr := s.store.DeleteDomain(context.WithoutCancel(ctx), app, hostname); derr != nil {
			s.logger.Error("undo domain", "app", app, "hostname", hostname, "error", derr)
		}
		s.logger.Warn("publish domain", "app", app, "hostname", hostname, "error", err)
		return nil, paas.Errorf(paas.EUNAVAILABLE, "the routers could not be told about %s (the scheduler did not answer); nothing was added, try again in a moment", hostname)
	}
	s.logger.Info("domain added", "app", app, "hostname", hostname, "self_signed", created.CertSelfSigned)
	created.CertPEM, created.KeyPEM = "", ""
	return created, nil
}

// certify returns a domain for hostname with its certificate: the one
// given, checked, or a self-signed one.
func (s *Service) certify(hostname, certPEM, keyPEM string) (*paas.Domain, error) {
	now := s.now()
	switch {
	case certPEM == "" && keyPEM == "":
		cert, key, err := tlscert.SelfSigned([]string{hostname}, tlscert.Validity, now)
		if err != nil {
			return nil, fmt.Errorf("make certificate of %s: %w", hostname, err)
		}
		certPEM, keyPEM = cert, key
	case certPEM == "" || keyPEM == "":
		return nil, paas.Errorf(paas.EINVALID, "give both a certificate and its private key, or neither for a self-signed certificate")
	}
	info, err := tlscert.Check(certPEM, keyPEM, hostname, now)
	if err != nil {
		return nil, err
	}
	return &paas.Domain{Hostname: hostname, CertPEM: certPEM, KeyPEM: keyPEM,
		CertNotAfter: info.NotAfter, CertSelfSigned: info.SelfSigned}, nil
}

// List returns app's domains, without certificates or keys.
func (s *Service) List(ctx context.Context, app string) ([]*paas.Domain, error) {
	return s.store.ListDomains(ctx, app)
}

// Remove takes hostname from app. When the routers cannot be told at
// once, the next sync tells them.
func (s *Service) Remove(ctx context.Context, app, hostname string) error {
	if err := s.store.DeleteDomain(ctx, app, hostname); err != nil {
		return err
	}
	if err := s.pub.DeleteDomain(ctx, hostname); err != nil {
		s.logger.Warn("unpublish domain; the next sync retries", "app", app, "hostname", hostname, "error", err)
	}
	s.logger.Info("domain removed", "app", app, "hostname", hostname)
	return nil
}

// Sync makes the published domains those of the database: it publishes
// what is missing or different and unpublishes what the database no
// longer has, such as the domains of a destroyed app.
func (s *Service) Sync(ctx context.Context) error {
	want, err := s.store.AllDomains(ctx)
	if err != nil {
		return err
	}
	have, err := s.pub.Domains(ctx)
	if err != nil {
		return err
	}
	published := map[string]paas.Domain{}
	for _, d := range have {
		published[d.Hostname] = d
	}
	var errs []error
	for _, d := range want {
		p, ok := published[d.Hostname]
		delete(published, d.Hostname)
		if ok && p.App == d.App && p.CertPEM == d.CertPEM && p.KeyPEM == d.KeyPEM {
			continue
		}
		errs = append(errs, s.pub.SetDomain(ctx, *d))
	}
	for host := range published {
		errs = append(errs, s.pub.DeleteDomain(ctx, host))
	}
	return errors.Join(errs...)
}

// Run syncs at once and then every SyncInterval until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.SyncInterval)
	defer t.Stop()
	for {
		if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("sync domains", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
