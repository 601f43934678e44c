package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
)

// backupColumns are the columns that scanBackup reads.
const backupColumns = `id, addon_id, addon, size, sha256, scheduled, created_by, created_at`

func scanBackup(row scanner) (*paas.Backup, error) {
	var b paas.Backup
	err := row.Scan(&b.ID, &b.AddonID, &b.Addon, &b.Size, &b.SHA256, &b.Scheduled, &b.CreatedBy, &b.CreatedAt)
	b.CreatedAt = b.CreatedAt.UTC()
	return &b, err
}

// CreateBackup records a backup of b.AddonID (named b.Addon) of b.Size
// bytes with checksum b.SHA256, and returns it with its ID.
func (db *DB) CreateBackup(ctx context.Context, b *paas.Backup) (*paas.Backup, error) {
	row := db.db.QueryRowContext(ctx, `
		INSERT INTO addon_backups (addon_id, addon, size, sha256, scheduled, created_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+backupColumns,
		b.AddonID, b.Addon, b.Size, b.SHA256, b.Scheduled, b.CreatedBy)
	out, err := scanBackup(row)
	if err != nil {
		return nil, fmt.Errorf("record backup of add-on %q: %w", b.Addon, err)
	}
	return out, nil
}

// GetBackup returns backup id.
func (db *DB) GetBackup(ctx context.Context, id int64) (*paas.Backup, error) {
	b, err := scanBackup(db.db.QueryRowContext(ctx, `SELECT `+backupColumns+` FROM addon_backups WHERE id = $1`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, paas.Errorf(paas.ENOTFOUND, "backup %s not found; list backups with: paas pg:backups", paas.BackupLabel(id))
	case err != nil:
		return nil, fmt.Errorf("get backup %d: %w", id, err)
	}
	return b, nil
}

// ListBackups returns the backups of add-on addonID, newest first.
func (db *DB) ListBackups(ctx context.Context, addonID int64) ([]*paas.Backup, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+backupColumns+` FROM addon_backups
		WHERE addon_id = $1 ORDER BY id DESC`, addonID)
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	backups, err := collect(rows, scanBackup)
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	return backups, nil
}

// DeleteBackup deletes the record of backup id.
func (db *DB) DeleteBackup(ctx context.Context, id int64) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM addon_backups WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete backup %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return paas.Errorf(paas.ENOTFOUND, "backup %s not found; list backups with: paas pg:backups", paas.BackupLabel(id))
	}
	return nil
}
