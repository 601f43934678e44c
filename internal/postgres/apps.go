package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
	"github.com/lib/pq/pqerror"
)

// appColumns are the columns that scanApp reads.
const appColumns = `id, name, owner, release, created_at`

// scanApp reads the appColumns of one row.
func scanApp(row scanner) (*paas.App, error) {
	var a paas.App
	if err := row.Scan(&a.ID, &a.Name, &a.Owner, &a.Release, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// CreateApp records a new app named name, owned by the named user, who
// becomes its first collaborator with the role owner. It fails with
// paas.EINVALID when the name is not a valid app name and with
// paas.ECONFLICT when an app of that name exists.
func (db *DB) CreateApp(ctx context.Context, name, owner string) (*paas.App, error) {
	if err := paas.ValidateAppName(name); err != nil {
		return nil, err
	}
	row := db.db.QueryRowContext(ctx, `
		WITH a AS (
			INSERT INTO apps (name, owner) VALUES ($1, $2) RETURNING *
		), c AS (
			INSERT INTO app_collaborators (app_id, user_id, role)
			SELECT a.id, u.id, 'owner' FROM a JOIN users u ON u.name = a.owner
		)
		SELECT `+appColumns+` FROM a`, name, owner)
	a, err := scanApp(row)
	switch {
	case violates(err, pqerror.UniqueViolation, appsNameKey):
		return nil, paas.Errorf(paas.ECONFLICT, "app %q already exists; choose another name", name)
	case err != nil:
		return nil, fmt.Errorf("create app %q: %w", name, err)
	}
	return a, nil
}

// GetApp returns the named app.
func (db *DB) GetApp(ctx context.Context, name string) (*paas.App, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps WHERE name = $1`, name)
	a, err := scanApp(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errAppNotFound(name)
	case err != nil:
		return nil, fmt.Errorf("get app %q: %w", name, err)
	}
	return a, nil
}

// ListApps returns every app, sorted by name.
func (db *DB) ListApps(ctx context.Context) ([]*paas.App, error) {
	// COLLATE "C" sorts by bytes, as Go does, whatever the database's locale.
	rows, err := db.db.QueryContext(ctx, `SELECT `+appColumns+` FROM apps ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	apps, err := collect(rows, scanApp)
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	return apps, nil
}

// DeleteApp deletes the named app with its builds, their logs and its
// releases.
func (db *DB) DeleteApp(ctx context.Context, name string) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM apps WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("delete app %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	return errAppNotFound(name)
}

// appID returns the id of the named app.
func appID(ctx context.Context, q querier, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM apps WHERE name = $1`, name).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, errAppNotFound(name)
	case err != nil:
		return 0, fmt.Errorf("look up app %q: %w", name, err)
	}
	return id, nil
}
