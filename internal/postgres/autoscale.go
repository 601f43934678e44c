package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/gitpaas/paas"
)

// PutAutoscalePolicy sets the policy of one process type of an app,
// replacing the one it had.
func (db *DB) PutAutoscalePolicy(ctx context.Context, p paas.AutoscalePolicy) error {
	res, err := db.db.ExecContext(ctx, `
		INSERT INTO autoscale_policies (app_id, process, enabled, min_count, max_count,
			target_inflight, target_rps, target_p95_ms, idle_seconds, updated_by)
		SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM apps WHERE name = $1
		ON CONFLICT (app_id, process) DO UPDATE SET enabled = $3, min_count = $4, max_count = $5,
			target_inflight = $6, target_rps = $7, target_p95_ms = $8, idle_seconds = $9,
			updated_by = $10, updated_at = now()`,
		p.App, p.Process, p.Enabled, p.Min, p.Max, p.Inflight, p.RPS,
		p.P95.Milliseconds(), int64(p.Idle/time.Second), p.UpdatedBy)
	if err != nil {
		return fmt.Errorf("set autoscale policy of %s %s: %w", p.App, p.Process, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errAppNotFound(p.App)
	}
	return nil
}

// AutoscalePolicies returns the policies set through the API for app, by
// process type.
func (db *DB) AutoscalePolicies(ctx context.Context, app string) ([]*paas.AutoscalePolicy, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT process, enabled, min_count, max_count, target_inflight, target_rps,
			target_p95_ms, idle_seconds, updated_by, updated_at
		FROM autoscale_policies WHERE app_id = $1 ORDER BY process`, id)
	if err != nil {
		return nil, fmt.Errorf("list autoscale policies of %s: %w", app, err)
	}
	return collect(rows, func(row scanner) (*paas.AutoscalePolicy, error) {
		p := paas.AutoscalePolicy{App: app, Source: paas.AutoscaleSourceUser}
		var p95, idle int64
		err := row.Scan(&p.Process, &p.Enabled, &p.Min, &p.Max, &p.Inflight, &p.RPS,
			&p95, &idle, &p.UpdatedBy, &p.UpdatedAt)
		p.P95, p.Idle, p.UpdatedAt = time.Duration(p95)*time.Millisecond, time.Duration(idle)*time.Second, p.UpdatedAt.UTC()
		return &p, err
	})
}

// SetScaledCount records that process of release runs count instances
// because the autoscaler said so.
func (db *DB) SetScaledCount(ctx context.Context, app string, release int, process string, count int) error {
	res, err := db.db.ExecContext(ctx, `
		INSERT INTO scaled_counts (app_id, release, process, count)
		SELECT id, $2, $3, $4 FROM apps WHERE name = $1
		ON CONFLICT (app_id, release, process) DO UPDATE SET count = $4, updated_at = now()`,
		app, release, process, count)
	if err != nil {
		return fmt.Errorf("record count of %s v%d %s: %w", app, release, process, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errAppNotFound(app)
	}
	return nil
}

// ScaledCounts returns the counts the autoscaler gave the process types of
// release, by type.
func (db *DB) ScaledCounts(ctx context.Context, app string, release int) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT s.process, s.count FROM scaled_counts s JOIN apps a ON a.id = s.app_id
		WHERE a.name = $1 AND s.release = $2`, app, release)
	if err != nil {
		return nil, fmt.Errorf("read counts of %s v%d: %w", app, release, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		out[p] = n
	}
	return out, rows.Err()
}
