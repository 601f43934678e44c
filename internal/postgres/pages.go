package postgres

import (
	"context"
	"fmt"

	"github.com/gitpaas/paas"
)

// ListAppsPage returns at most limit apps whose names sort after after
// ("" for the first page), by name.
func (db *DB) ListAppsPage(ctx context.Context, after string, limit int) ([]*paas.App, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+appColumns+` FROM apps
		WHERE name COLLATE "C" > $1 ORDER BY name COLLATE "C" LIMIT $2`, after, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	return collect(rows, scanApp)
}

// ListBuildsPage returns at most limit builds of app with ids below before
// (0 for the newest), newest first.
func (db *DB) ListBuildsPage(ctx context.Context, app string, before int64, limit int) ([]*paas.Build, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+buildColumns+`
		FROM builds b JOIN apps a ON a.id = b.app_id
		WHERE b.app_id = $1 AND ($2 = 0 OR b.id < $2) ORDER BY b.id DESC LIMIT $3`, id, before, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list builds of app %q: %w", app, err)
	}
	return collect(rows, scanBuild)
}

// ListReleasesPage returns at most limit releases of app with versions
// below before (0 for the newest), newest first.
func (db *DB) ListReleasesPage(ctx context.Context, app string, before, limit int) ([]*paas.Release, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+releaseColumns+`
		FROM releases r JOIN apps a ON a.id = r.app_id
		WHERE r.app_id = $1 AND ($2 = 0 OR r.version < $2) ORDER BY r.version DESC LIMIT $3`, id, before, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list releases of app %q: %w", app, err)
	}
	return collect(rows, db.scanRelease)
}
