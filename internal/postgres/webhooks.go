package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gitpaas/paas"
	"github.com/lib/pq"
)

// webhookAD binds a sealed webhook secret to its app.
func webhookAD(app string) []byte { return []byte("paas webhook secret of app " + app) }

// CreateWebhook records w (App, URL, Events, Secret, CreatedBy) with its
// secret sealed, and returns it with its ID.
func (db *DB) CreateWebhook(ctx context.Context, w *paas.Webhook) (*paas.Webhook, error) {
	if db.cipher == nil {
		return nil, errors.New("store webhook: no cipher is set")
	}
	sealed := db.cipher.Seal([]byte(w.Secret), webhookAD(w.App))
	out := *w
	err := db.db.QueryRowContext(ctx, `INSERT INTO webhooks (app_id, url, secret, events, created_by)
		SELECT id, $2, $3, $4, $5 FROM apps WHERE name = $1 RETURNING id, created_at`,
		w.App, w.URL, sealed, pq.Array(w.Events), w.CreatedBy).Scan(&out.ID, &out.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errAppNotFound(w.App)
	}
	if err != nil {
		return nil, fmt.Errorf("create webhook of app %q: %w", w.App, err)
	}
	out.CreatedAt = out.CreatedAt.UTC()
	return &out, nil
}

// ListWebhooks returns the webhooks of app, without their secrets.
func (db *DB) ListWebhooks(ctx context.Context, app string) ([]*paas.Webhook, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, url, events, created_by, created_at FROM webhooks
		WHERE app_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("list webhooks of app %q: %w", app, err)
	}
	return collect(rows, func(row scanner) (*paas.Webhook, error) {
		w := paas.Webhook{App: app}
		err := row.Scan(&w.ID, &w.URL, pq.Array(&w.Events), &w.CreatedBy, &w.CreatedAt)
		w.CreatedAt = w.CreatedAt.UTC()
		return &w, err
	})
}

// DeleteWebhook removes webhook id of app with its deliveries.
func (db *DB) DeleteWebhook(ctx context.Context, app string, id int64) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM webhooks w USING apps a
		WHERE a.id = w.app_id AND a.name = $1 AND w.id = $2`, app, id)
	if err != nil {
		return fmt.Errorf("delete webhook %d of app %q: %w", id, app, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return missing(ctx, db.db, app, paas.Errorf(paas.ENOTFOUND, "webhook %d of app %q not found; list them with: paas webhooks -a %s", id, app, app))
	}
	return nil
}

// EnqueueDeliveries queues event with payload for every webhook of app
// that subscribes to it, and returns how many were queued.
func (db *DB) EnqueueDeliveries(ctx context.Context, app, event string, payload []byte) (int, error) {
	res, err := db.db.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, event, payload)
		SELECT w.id, $2, $3 FROM webhooks w JOIN apps a ON a.id = w.app_id
		WHERE a.name = $1 AND $2 = ANY (w.events)`, app, event, payload)
	if err != nil {
		return 0, fmt.Errorf("queue %s deliveries of app %q: %w", event, app, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ClaimDueDeliveries takes up to limit pending deliveries whose time has
// come, counting an attempt on each and pushing their next attempt back by
// lease, so that a crashed sender's claims come due again by themselves.
func (db *DB) ClaimDueDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*paas.Delivery, error) {
	rows, err := db.db.QueryContext(ctx, `
		WITH due AS (
			SELECT id FROM webhook_deliveries
			WHERE status = 'pending' AND next_attempt_at <= now()
			ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
		)
		UPDATE webhook_deliveries d SET attempts = d.attempts + 1,
			next_attempt_at = now() + make_interval(secs => $2)
		FROM due, webhooks w, apps a
		WHERE d.id = due.id AND w.id = d.webhook_id AND a.id = w.app_id
		RETURNING d.id, d.webhook_id, w.url, w.secret, a.name, d.event, d.payload, d.attempts, d.created_at`,
		limit, lease.Seconds())
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return collect(rows, func(row scanner) (*paas.Delivery, error) {
		var d paas.Delivery
		var sealed []byte
		var app string
		if err := row.Scan(&d.ID, &d.WebhookID, &d.URL, &sealed, &app, &d.Event, &d.Payload, &d.Attempts, &d.CreatedAt); err != nil {
			return nil, err
		}
		secret, err := db.cipher.Open(sealed, webhookAD(app))
		if err != nil {
			return nil, fmt.Errorf("open secret of webhook %d: %w", d.WebhookID, err)
		}
		d.Secret, d.Status = string(secret), "pending"
		return &d, nil
	})
}

// FinishDelivery records an attempt's outcome: delivered, failed for good,
// or to be retried at retryAt.
func (db *DB) FinishDelivery(ctx context.Context, id int64, status string, code int, errMsg string, retryAt time.Time) error {
	_, err := db.db.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $2, response_code = $3,
		last_error = $4, next_attempt_at = $5, delivered_at = CASE WHEN $2 = 'succeeded' THEN now() END
		WHERE id = $1`, id, status, code, errMsg, retryAt)
	if err != nil {
		return fmt.Errorf("record delivery %d: %w", id, err)
	}
	return nil
}

// ListDeliveries returns the newest deliveries of webhook id of app.
func (db *DB) ListDeliveries(ctx context.Context, app string, id int64, limit int) ([]*paas.Delivery, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT d.id, d.webhook_id, d.event, d.status, d.attempts,
			d.response_code, d.last_error, d.created_at, d.delivered_at
		FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN apps a ON a.id = w.app_id
		WHERE a.name = $1 AND w.id = $2 ORDER BY d.id DESC LIMIT $3`, app, id, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list deliveries of webhook %d: %w", id, err)
	}
	return collect(rows, func(row scanner) (*paas.Delivery, error) {
		var d paas.Delivery
		var delivered sql.NullTime
		err := row.Scan(&d.ID, &d.WebhookID, &d.Event, &d.Status, &d.Attempts, &d.ResponseCode, &d.LastError, &d.CreatedAt, &delivered)
		d.CreatedAt, d.DeliveredAt = d.CreatedAt.UTC(), nullTime(delivered)
		return &d, err
	})
}
