package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gitpaas/paas"
)

// FailInterrupted marks every build and release that was in progress failed
// with reason, and returns how many of each it marked. Call it at start-up,
// before any work begins: work in progress then can only be what a crash
// interrupted. Failing a build frees its app for the next build.
func (db *DB) FailInterrupted(ctx context.Context, reason string) (builds, releases int, err error) {
	err = inTx(ctx, db.db, func(tx *sql.Tx) error {
		builds, err = failInterruptedBuilds(ctx, tx, reason)
		if err != nil {
			return err
		}
		releases, err = failInterruptedReleases(ctx, tx, reason)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return builds, releases, nil
}

// failInterruptedBuilds marks the builds in progress failed.
func failInterruptedBuilds(ctx context.Context, tx *sql.Tx, reason string) (int, error) {
	res, err := tx.ExecContext(ctx, `
		UPDATE builds SET status = $1, error = $2, finished_at = now()
		WHERE status IN ($3, $4)`,
		paas.BuildFailed, reason, paas.BuildPending, paas.BuildBuilding)
	if err != nil {
		return 0, fmt.Errorf("fail interrupted builds: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// failInterruptedReleases marks the releases in progress failed.
func failInterruptedReleases(ctx context.Context, tx *sql.Tx, reason string) (int, error) {
	res, err := tx.ExecContext(ctx, `
		UPDATE releases SET status = $1, error = $2
		WHERE status IN ($3, $4)`,
		paas.ReleaseFailed, reason, paas.ReleasePending, paas.ReleaseDeploying)
	if err != nil {
		return 0, fmt.Errorf("fail interrupted releases: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
