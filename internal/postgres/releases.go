package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
	"github.com/lib/pq"
)

// releaseColumns are the columns that scanRelease reads, from releases r
// joined with apps a.
const releaseColumns = `r.id, a.name, r.version, r.image, coalesce(r.build_id, 0), r.description,
	r.status, r.error, r.version = a.release, r.created_by, r.created_at,
	r.reason, r.spec, r.config, r.config_keys, r.app_yml`

// scanRelease reads the releaseColumns of one row, opening the sealed
// config vars.
func (db *DB) scanRelease(row scanner) (*paas.Release, error) {
	var (
		r      paas.Release
		spec   []byte
		sealed []byte
	)
	err := row.Scan(&r.ID, &r.App, &r.Version, &r.Image, &r.BuildID, &r.Description,
		&r.Status, &r.Error, &r.Current, &r.CreatedBy, &r.CreatedAt,
		&r.Reason, &spec, &sealed, pq.Array(&r.ConfigKeys), &r.AppYML)
	if err != nil {
		return nil, err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	if err := json.Unmarshal(spec, &r.Spec); err != nil {
		return nil, fmt.Errorf("decode spec of release v%d: %w", r.Version, err)
	}
	if r.Config, err = db.openConfig(r.App, sealed); err != nil {
		return nil, err
	}
	if r.ConfigKeys == nil {
		r.ConfigKeys = []string{}
	}
	return &r, nil
}

// CreateRelease records a pending release of r.App made of r.Image, from
// build r.BuildID (0 for none), with r.Description, r.CreatedBy, r.Reason,
// r.Spec, r.Config (sealed) and r.AppYML. It gives
// the release the app's next version, also when releases of the app are
// created concurrently, and returns it.
func (db *DB) CreateRelease(ctx context.Context, r *paas.Release) (*paas.Release, error) {
	if r.Image == "" {
		return nil, paas.Errorf(paas.EINVALID, "release of app %q has no image; build the app first", r.App)
	}
	if r.Reason == "" {
		r.Reason = paas.ReasonDeploy
	}
	spec, err := json.Marshal(r.Spec)
	if err != nil {
		return nil, fmt.Errorf("encode spec: %w", err)
	}
	sealed, err := db.sealConfig(r.App, r.Config)
	if err != nil {
		return nil, err
	}
	// Incrementing last_version locks the app's row until the insert is
	// done, so concurrent releases of the app take turns.
	row := db.db.QueryRowContext(ctx, `
		WITH a AS (
			UPDATE apps SET last_version = last_version + 1 WHERE name = $1
			RETURNING id, name, release, last_version
		), r AS (
			INSERT INTO releases (app_id, version, image, build_id, description, status, created_by,
				reason, spec, config, config_keys, app_yml)
			SELECT id, last_version, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM a
			RETURNING *
		)
		SELECT `+releaseColumns+` FROM r JOIN a ON a.id = r.app_id`,
		r.App, r.Image, sql.NullInt64{Int64: r.BuildID, Valid: r.BuildID != 0},
		r.Description, paas.ReleasePending, r.CreatedBy,
		r.Reason, spec, sealed, pq.Array(configKeys(r.Config)), r.AppYML)
	created, err := db.scanRelease(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errAppNotFound(r.App)
	case isForeignKeyViolation(err):
		return nil, errBuildNotFound(r.App, r.BuildID)
	case err != nil:
		return nil, fmt.Errorf("create release of app %q: %w", r.App, err)
	}
	return created, nil
}

// SetReleaseStatus records where release version of app is in its rollout,
// and with paas.ReleaseFailed, in errMsg, why it failed.
func (db *DB) SetReleaseStatus(ctx context.Context, app string, version int, status paas.ReleaseStatus, errMsg string) error {
	if !validReleaseStatus(status) {
		return paas.Errorf(paas.EINVALID, "release status %q is unknown; use %s, %s, %s or %s", status,
			paas.ReleasePending, paas.ReleaseDeploying, paas.ReleaseSucceeded, paas.ReleaseFailed)
	}
	res, err := db.db.ExecContext(ctx, `
		UPDATE releases r SET status = $3, error = $4
		FROM apps a WHERE a.id = r.app_id AND a.name = $1 AND r.version = $2`,
		app, version, status, errMsg)
	if err != nil {
		return fmt.Errorf("set status of release v%d of app %q: %w", version, app, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	return missing(ctx, db.db, app, errReleaseNotFound(app, version))
}

// validReleaseStatus reports whether s is one of the release states.
func validReleaseStatus(s paas.ReleaseStatus) bool {
	switch s {
	case paas.ReleasePending, paas.ReleaseDeploying, paas.ReleaseSucceeded, paas.ReleaseFailed:
		return true
	}
	return false
}

// MarkReleaseCurrent records that release version of app succeeded and now
// serves the app, and makes its config vars the app's, in one transaction.
func (db *DB) MarkReleaseCurrent(ctx context.Context, app string, version int) error {
	return inTx(ctx, db.db, func(tx *sql.Tx) error {
		return markReleaseCurrent(ctx, tx, app, version)
	})
}

// markReleaseCurrent is MarkReleaseCurrent inside transaction tx.
func markReleaseCurrent(ctx context.Context, tx *sql.Tx, app string, version int) error {
	var appID int64
	err := tx.QueryRowContext(ctx, `
		UPDATE releases r SET status = $3, error = ''
		FROM apps a WHERE a.id = r.app_id AND a.name = $1 AND r.version = $2
		RETURNING r.app_id`, app, version, paas.ReleaseSucceeded).Scan(&appID)
	if errors.Is(err, sql.ErrNoRows) {
		return missing(ctx, tx, app, errReleaseNotFound(app, version))
	}
	if err == nil {
		// The app's config vars become the release's, so that a rollback
		// brings its config back and the next change starts from it.
		_, err = tx.ExecContext(ctx, `UPDATE apps SET release = $2,
			config = (SELECT config FROM releases WHERE app_id = $1 AND version = $2)
			WHERE id = $1`, appID, version)
	}
	if err != nil {
		return fmt.Errorf("mark release v%d of app %q current: %w", version, app, err)
	}
	return nil
}

// GetRelease returns release version of app.
func (db *DB) GetRelease(ctx context.Context, app string, version int) (*paas.Release, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+releaseColumns+`
		FROM releases r JOIN apps a ON a.id = r.app_id
		WHERE a.name = $1 AND r.version = $2`, app, version)
	r, err := db.scanRelease(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, missing(ctx, db.db, app, errReleaseNotFound(app, version))
	case err != nil:
		return nil, fmt.Errorf("get release v%d of app %q: %w", version, app, err)
	}
	return r, nil
}

// ListReleases returns the releases of app, newest first: all of them when
// limit is not positive, otherwise at most limit.
func (db *DB) ListReleases(ctx context.Context, app string, limit int) ([]*paas.Release, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+releaseColumns+`
		FROM releases r JOIN apps a ON a.id = r.app_id
		WHERE r.app_id = $1 ORDER BY r.version DESC LIMIT $2`, id, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list releases of app %q: %w", app, err)
	}
	releases, err := collect(rows, db.scanRelease)
	if err != nil {
		return nil, fmt.Errorf("list releases of app %q: %w", app, err)
	}
	return releases, nil
}
