package postgres

import (
	"context"
	"fmt"

	"github.com/gitpaas/paas"
)

// AddEvent records something that happened to app, such as drift the
// reconciler repaired.
func (db *DB) AddEvent(ctx context.Context, app string, e paas.Event) error {
	res, err := db.db.ExecContext(ctx, `
		INSERT INTO app_events (app_id, kind, message, created_by)
		SELECT id, $2, $3, $4 FROM apps WHERE name = $1`, app, e.Kind, e.Message, e.CreatedBy)
	if err != nil {
		return fmt.Errorf("record event of app %q: %w", app, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errAppNotFound(app)
	}
	return nil
}

// ListEvents returns the events of app of the given kind ("" for all),
// newest first, at most limit when limit is positive.
func (db *DB) ListEvents(ctx context.Context, app, kind string, limit int) ([]*paas.Event, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT kind, message, created_by, created_at FROM app_events
		WHERE app_id = $1 AND ($2 = '' OR kind = $2) ORDER BY id DESC LIMIT $3`, id, kind, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list events of app %q: %w", app, err)
	}
	return collect(rows, func(row scanner) (*paas.Event, error) {
		e := paas.Event{App: app}
		err := row.Scan(&e.Kind, &e.Message, &e.CreatedBy, &e.CreatedAt)
		e.CreatedAt = e.CreatedAt.UTC()
		return &e, err
	})
}
