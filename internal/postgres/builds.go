package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
	"github.com/lib/pq/pqerror"
)

// buildColumns are the columns that scanBuild reads, from builds b joined
// with apps a.
const buildColumns = `b.id, a.name, b.commit, b.ref, b.status, b.image, b.error, b.release, b.created_by, b.created_at, b.finished_at`

// scanBuild reads the buildColumns of one row.
func scanBuild(row scanner) (*paas.Build, error) {
	var b paas.Build
	var finished sql.NullTime
	err := row.Scan(&b.ID, &b.App, &b.Commit, &b.Ref, &b.Status, &b.Image, &b.Error,
		&b.Release, &b.CreatedBy, &b.CreatedAt, &finished)
	if err != nil {
		return nil, err
	}
	b.CreatedAt = b.CreatedAt.UTC()
	b.FinishedAt = nullTime(finished)
	return &b, nil
}

// CreateBuild records a pending build of commit, pushed to ref of app. It
// fails with paas.ECONFLICT when the app has a build pending or building
// already.
func (db *DB) CreateBuild(ctx context.Context, app, commit, ref, createdBy string) (*paas.Build, error) {
	row := db.db.QueryRowContext(ctx, `
		WITH b AS (
			INSERT INTO builds (app_id, commit, ref, status, created_by)
			SELECT id, $2, $3, $4, $5 FROM apps WHERE name = $1
			RETURNING *
		)
		SELECT `+buildColumns+` FROM b JOIN apps a ON a.id = b.app_id`,
		app, commit, ref, paas.BuildPending, createdBy)
	b, err := scanBuild(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errAppNotFound(app)
	case violates(err, pqerror.UniqueViolation, buildsOneRunning):
		return nil, db.errBuildRunning(ctx, app)
	case err != nil:
		return nil, fmt.Errorf("create build of app %q: %w", app, err)
	}
	return b, nil
}

// errBuildRunning returns the conflict of a second build of app, naming the
// build in progress when it is still there.
func (db *DB) errBuildRunning(ctx context.Context, app string) error {
	var id int64
	err := db.db.QueryRowContext(ctx, `
		SELECT b.id FROM builds b JOIN apps a ON a.id = b.app_id
		WHERE a.name = $1 AND b.status IN ($2, $3)`,
		app, paas.BuildPending, paas.BuildBuilding).Scan(&id)
	if err != nil {
		return paas.Errorf(paas.ECONFLICT, "a build of app %q is already running; wait for it to finish", app)
	}
	return paas.Errorf(paas.ECONFLICT, "a build of app %q is already running (build %d); wait for it to finish", app, id)
}

// StartBuild moves a pending build to building. It fails with
// paas.ECONFLICT when the build is not pending.
func (db *DB) StartBuild(ctx context.Context, id int64) error {
	res, err := db.db.ExecContext(ctx, `UPDATE builds SET status = $2 WHERE id = $1 AND status = $3`,
		id, paas.BuildBuilding, paas.BuildPending)
	if err != nil {
		return fmt.Errorf("start build %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	status, err := db.buildStatus(ctx, id)
	if err != nil {
		return err
	}
	return paas.Errorf(paas.ECONFLICT, "build %d is %s, not pending; only a pending build can start", id, status)
}

// FinishBuild records the end of a build: status is paas.BuildSucceeded,
// with the image built, or paas.BuildFailed, with errMsg saying why. It
// fails with paas.ECONFLICT when the build has finished already.
func (db *DB) FinishBuild(ctx context.Context, id int64, status paas.BuildStatus, image, errMsg string) error {
	switch {
	case !status.Done():
		return paas.Errorf(paas.EINVALID, "build status %q is not final; finish build %d as %s or %s", status, id, paas.BuildSucceeded, paas.BuildFailed)
	case status == paas.BuildSucceeded && image == "":
		return paas.Errorf(paas.EINVALID, "build %d succeeded without an image; record the image it built", id)
	}
	res, err := db.db.ExecContext(ctx, `
		UPDATE builds SET status = $2, image = $3, error = $4, finished_at = now()
		WHERE id = $1 AND status IN ($5, $6)`,
		id, status, image, errMsg, paas.BuildPending, paas.BuildBuilding)
	if err != nil {
		return fmt.Errorf("finish build %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	old, err := db.buildStatus(ctx, id)
	if err != nil {
		return err
	}
	return paas.Errorf(paas.ECONFLICT, "build %d has finished already (%s)", id, old)
}

// buildStatus returns the status of build id.
func (db *DB) buildStatus(ctx context.Context, id int64) (paas.BuildStatus, error) {
	var status paas.BuildStatus
	err := db.db.QueryRowContext(ctx, `SELECT status FROM builds WHERE id = $1`, id).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", errBuildIDNotFound(id)
	case err != nil:
		return "", fmt.Errorf("get status of build %d: %w", id, err)
	}
	return status, nil
}

// SetBuildRelease records the version of the release made from build
// buildID.
func (db *DB) SetBuildRelease(ctx context.Context, buildID int64, version int) error {
	res, err := db.db.ExecContext(ctx, `UPDATE builds SET release = $2 WHERE id = $1`, buildID, version)
	if err != nil {
		return fmt.Errorf("set release of build %d: %w", buildID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	return errBuildIDNotFound(buildID)
}

// AppendBuildLog adds chunk to the end of the log of build id.
func (db *DB) AppendBuildLog(ctx context.Context, id int64, chunk []byte) error {
	if len(chunk) == 0 {
		return nil
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO build_logs (build_id, data) VALUES ($1, $2)`, id, chunk)
	switch {
	case isForeignKeyViolation(err):
		return errBuildIDNotFound(id)
	case err != nil:
		return fmt.Errorf("append to log of build %d: %w", id, err)
	}
	return nil
}

// BuildLog returns the whole log of build id of app.
func (db *DB) BuildLog(ctx context.Context, app string, id int64) ([]byte, error) {
	var log []byte
	err := db.db.QueryRowContext(ctx, `
		SELECT (SELECT coalesce(string_agg(l.data, '' ORDER BY l.id), '') FROM build_logs l WHERE l.build_id = b.id)
		FROM builds b JOIN apps a ON a.id = b.app_id
		WHERE a.name = $1 AND b.id = $2`, app, id).Scan(&log)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, missing(ctx, db.db, app, errBuildNotFound(app, id))
	case err != nil:
		return nil, fmt.Errorf("get log of build %d of app %q: %w", id, app, err)
	}
	return log, nil
}

// GetBuild returns build id of app.
func (db *DB) GetBuild(ctx context.Context, app string, id int64) (*paas.Build, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+buildColumns+`
		FROM builds b JOIN apps a ON a.id = b.app_id
		WHERE a.name = $1 AND b.id = $2`, app, id)
	b, err := scanBuild(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, missing(ctx, db.db, app, errBuildNotFound(app, id))
	case err != nil:
		return nil, fmt.Errorf("get build %d of app %q: %w", id, app, err)
	}
	return b, nil
}

// ListBuilds returns the builds of app, newest first: all of them when limit
// is not positive, otherwise at most limit.
func (db *DB) ListBuilds(ctx context.Context, app string, limit int) ([]*paas.Build, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+buildColumns+`
		FROM builds b JOIN apps a ON a.id = b.app_id
		WHERE b.app_id = $1 ORDER BY b.id DESC LIMIT $2`, id, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list builds of app %q: %w", app, err)
	}
	builds, err := collect(rows, scanBuild)
	if err != nil {
		return nil, fmt.Errorf("list builds of app %q: %w", app, err)
	}
	return builds, nil
}
