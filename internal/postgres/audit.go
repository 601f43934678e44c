package postgres

import (
	"context"
	"fmt"

	"github.com/gitpaas/paas"
)

// AddAuditEntry records e in the audit log. Its ID and CreatedAt are set by
// the database.
func (db *DB) AddAuditEntry(ctx context.Context, e *paas.AuditEntry) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO audit_log
		(user_name, token_id, action, app, method, path, status, client_ip, request_id)
		VALUES ($1, NULLIF($2::bigint, 0), $3, $4, $5, $6, $7, $8, $9)`,
		e.User, e.TokenID, e.Action, e.App, e.Method, e.Path, e.Status, e.ClientIP, e.RequestID)
	if err != nil {
		return fmt.Errorf("record audit entry %s: %w", e.Action, err)
	}
	return nil
}

// ListAuditEntries returns the audit entries f selects, newest first.
func (db *DB) ListAuditEntries(ctx context.Context, f paas.AuditFilter) ([]*paas.AuditEntry, error) {
	// An owner (directly or through a team) sees the entries of their apps
	// made since the app of that name was created: not those of an earlier
	// app that had the name.
	rows, err := db.db.QueryContext(ctx, `
		SELECT l.id, l.user_name, coalesce(l.token_id, 0), l.action, l.app, l.method, l.path,
			l.status, l.client_ip, l.request_id, l.created_at
		FROM audit_log l
		WHERE ($1 = '' OR l.app = $1)
		AND ($2::bigint = 0 OR EXISTS (
			SELECT 1 FROM apps a JOIN app_user_roles c ON c.app_id = a.id
			WHERE a.name = l.app AND c.user_id = $2 AND c.role = 'owner' AND l.created_at >= a.created_at))
		ORDER BY l.id DESC LIMIT $3`, f.App, f.OwnerID, limitArg(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	entries, err := collect(rows, scanAuditEntry)
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return entries, nil
}

func scanAuditEntry(row scanner) (*paas.AuditEntry, error) {
	var e paas.AuditEntry
	err := row.Scan(&e.ID, &e.User, &e.TokenID, &e.Action, &e.App, &e.Method, &e.Path,
		&e.Status, &e.ClientIP, &e.RequestID, &e.CreatedAt)
	e.CreatedAt = e.CreatedAt.UTC()
	return &e, err
}
