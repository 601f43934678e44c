package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
	"github.com/lib/pq/pqerror"
)

const domainsPkey = "domains_pkey"

// domainKeyAD binds a sealed private key to its hostname, so that a key
// cannot be moved to another domain's row.
func domainKeyAD(hostname string) []byte { return []byte("paas domain key of " + hostname) }

// CreateDomain records d (Hostname, App, CertPEM, KeyPEM, CertNotAfter,
// CertSelfSigned, CreatedBy) with its key sealed, and returns it with its
// creation time. A hostname that another app, or this one, already has
// is a conflict.
func (db *DB) CreateDomain(ctx context.Context, d *paas.Domain) (*paas.Domain, error) {
	if db.cipher == nil {
		return nil, errors.New("store domain: no cipher is set")
	}
	sealed := db.cipher.Seal([]byte(d.KeyPEM), domainKeyAD(d.Hostname))
	out := *d
	err := db.db.QueryRowContext(ctx, `INSERT INTO domains
		(hostname, app_id, cert_pem, key_sealed, cert_not_after, cert_self_signed, created_by)
		SELECT $1, id, $3, $4, $5, $6, $7 FROM apps WHERE name = $2 RETURNING created_at`,
		d.Hostname, d.App, d.CertPEM, sealed, d.CertNotAfter, d.CertSelfSigned, d.CreatedBy).Scan(&out.CreatedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errAppNotFound(d.App)
	case violates(err, pqerror.UniqueViolation, domainsPkey):
		return nil, paas.Errorf(paas.ECONFLICT, "hostname %s is already in use by an app; remove it there first (paas domains:remove)", d.Hostname)
	case err != nil:
		return nil, fmt.Errorf("create domain %s of app %q: %w", d.Hostname, d.App, err)
	}
	out.CreatedAt = out.CreatedAt.UTC()
	return &out, nil
}

// ListDomains returns the domains of app, sorted by hostname, without
// their certificates and keys.
func (db *DB) ListDomains(ctx context.Context, app string) ([]*paas.Domain, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT hostname, cert_not_after, cert_self_signed, created_by, created_at
		FROM domains WHERE app_id = $1 ORDER BY hostname`, id)
	if err != nil {
		return nil, fmt.Errorf("list domains of app %q: %w", app, err)
	}
	return collect(rows, func(row scanner) (*paas.Domain, error) {
		d := paas.Domain{App: app}
		err := row.Scan(&d.Hostname, &d.CertNotAfter, &d.CertSelfSigned, &d.CreatedBy, &d.CreatedAt)
		d.CertNotAfter, d.CreatedAt = d.CertNotAfter.UTC(), d.CreatedAt.UTC()
		return &d, err
	})
}

// AllDomains returns every domain of every app with its certificate and
// opened key, sorted by hostname, for publishing to the routers.
func (db *DB) AllDomains(ctx context.Context) ([]*paas.Domain, error) {
	if db.cipher == nil {
		return nil, errors.New("read domains: no cipher is set")
	}
	rows, err := db.db.QueryContext(ctx, `SELECT d.hostname, a.name, d.cert_pem, d.key_sealed, d.cert_not_after,
		d.cert_self_signed, d.created_by, d.created_at FROM domains d JOIN apps a ON a.id = d.app_id ORDER BY d.hostname`)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	return collect(rows, func(row scanner) (*paas.Domain, error) {
		var d paas.Domain
		var sealed []byte
		if err := row.Scan(&d.Hostname, &d.App, &d.CertPEM, &sealed, &d.CertNotAfter, &d.CertSelfSigned, &d.CreatedBy, &d.CreatedAt); err != nil {
			return nil, err
		}
		key, err := db.cipher.Open(sealed, domainKeyAD(d.Hostname))
		if err != nil {
			return nil, fmt.Errorf("open key of domain %s: %w", d.Hostname, err)
		}
		d.KeyPEM, d.CertNotAfter, d.CreatedAt = string(key), d.CertNotAfter.UTC(), d.CreatedAt.UTC()
		return &d, nil
	})
}

// DeleteDomain removes hostname from app.
func (db *DB) DeleteDomain(ctx context.Context, app, hostname string) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM domains d USING apps a
		WHERE a.id = d.app_id AND a.name = $1 AND d.hostname = $2`, app, hostname)
	if err != nil {
		return fmt.Errorf("delete domain %s of app %q: %w", hostname, app, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return missing(ctx, db.db, app, paas.Errorf(paas.ENOTFOUND, "domain %s of app %q not found; list them with: paas domains -a %s", hostname, app, app))
	}
	return nil
}
