package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
)

// AppRole returns the role of user userID on app, "" when they have none:
// the highest of the role given to them and the roles given to their
// teams. It fails with paas.ENOTFOUND when the app does not exist.
func (db *DB) AppRole(ctx context.Context, app string, userID int64) (paas.Role, error) {
	var role sql.NullString
	err := db.db.QueryRowContext(ctx, `SELECT (ARRAY['viewer', 'deployer', 'owner'])[max(role_rank(r.role))]
		FROM apps a LEFT JOIN app_user_roles r ON r.app_id = a.id AND r.user_id = $2
		WHERE a.name = $1 GROUP BY a.id`, app, userID).Scan(&role)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", errAppNotFound(app)
	case err != nil:
		return "", fmt.Errorf("role on app %q: %w", app, err)
	}
	return paas.Role(role.String), nil
}

// ListAppsPageOf returns at most limit apps that user userID has a role
// on, directly or through a team, with names after after, sorted by name.
func (db *DB) ListAppsPageOf(ctx context.Context, userID int64, after string, limit int) ([]*paas.App, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+appColumns+` FROM apps
		WHERE id IN (SELECT app_id FROM app_user_roles WHERE user_id = $1)
		AND name COLLATE "C" > $2 ORDER BY name COLLATE "C" LIMIT $3`, userID, after, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("list apps of user %d: %w", userID, err)
	}
	apps, err := collect(rows, scanApp)
	if err != nil {
		return nil, fmt.Errorf("list apps of user %d: %w", userID, err)
	}
	return apps, nil
}

// collaboratorColumns are the columns scanCollaborator reads, from apps a,
// app_collaborators c and users u; teamGrantColumns the same from apps a,
// app_team_roles r and teams t.
const (
	collaboratorColumns = `a.name, u.name, '', c.role, c.created_at`
	teamGrantColumns    = `a.name, '', t.name, r.role, r.created_at`
)

func scanCollaborator(row scanner) (*paas.Collaborator, error) {
	var c paas.Collaborator
	if err := row.Scan(&c.App, &c.User, &c.Team, &c.Role, &c.CreatedAt); err != nil {
		return nil, err
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// ListCollaborators returns the users and the teams that have a role on
// app: owners first, then deployers, then viewers; for each role users
// before teams, each sorted by name.
func (db *DB) ListCollaborators(ctx context.Context, app string) ([]*paas.Collaborator, error) {
	id, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT * FROM (
			SELECT `+collaboratorColumns+`
			FROM app_collaborators c JOIN apps a ON a.id = c.app_id JOIN users u ON u.id = c.user_id
			WHERE c.app_id = $1
			UNION ALL
			SELECT `+teamGrantColumns+`
			FROM app_team_roles r JOIN apps a ON a.id = r.app_id JOIN teams t ON t.id = r.team_id
			WHERE r.app_id = $1
		) g (app, "user", team, role, created_at)
		ORDER BY role_rank(role) DESC, team <> '', "user" COLLATE "C", team COLLATE "C"`, id)
	if err != nil {
		return nil, fmt.Errorf("list collaborators of %q: %w", app, err)
	}
	cs, err := collect(rows, scanCollaborator)
	if err != nil {
		return nil, fmt.Errorf("list collaborators of %q: %w", app, err)
	}
	return cs, nil
}

// SetCollaborator gives user the role on app, replacing any role they had.
// It fails with paas.ENOTFOUND when the app or the user does not exist and
// with paas.ECONFLICT when it would leave the app without an owner.
func (db *DB) SetCollaborator(ctx context.Context, app, user string, role paas.Role) (*paas.Collaborator, error) {
	if !role.Valid() {
		return nil, paas.Errorf(paas.EINVALID, "role %q is not one of viewer, deployer, owner", role)
	}
	var c *paas.Collaborator
	err := inTx(ctx, db.db, func(tx *sql.Tx) error {
		appID, userID, was, err := lockCollaborator(ctx, tx, app, user)
		if err != nil {
			return err
		}
		row := tx.QueryRowContext(ctx, `
			WITH c AS (
				INSERT INTO app_collaborators (app_id, user_id, role) VALUES ($1, $2, $3)
				ON CONFLICT (app_id, user_id) DO UPDATE SET role = EXCLUDED.role
				RETURNING *
			)
			SELECT `+collaboratorColumns+` FROM c JOIN apps a ON a.id = c.app_id JOIN users u ON u.id = c.user_id`,
			appID, userID, role)
		if c, err = scanCollaborator(row); err != nil {
			return fmt.Errorf("set role of %q on %q: %w", user, app, err)
		}
		if was == paas.RoleOwner && role != paas.RoleOwner {
			return checkOwned(ctx, tx, app, appID)
		}
		return nil
	})
	return c, err
}

// RemoveCollaborator takes away user's role on app. It fails with
// paas.ENOTFOUND when they have none and with paas.ECONFLICT when they are
// the app's last owner.
func (db *DB) RemoveCollaborator(ctx context.Context, app, user string) error {
	return inTx(ctx, db.db, func(tx *sql.Tx) error {
		appID, userID, was, err := lockCollaborator(ctx, tx, app, user)
		if err != nil {
			return err
		}
		if was == "" {
			return paas.Errorf(paas.ENOTFOUND, "user %q has no access to app %q; list who has with: paas access -a %s", user, app, app)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM app_collaborators WHERE app_id = $1 AND user_id = $2`, appID, userID)
		if err != nil {
			return fmt.Errorf("remove %q from %q: %w", user, app, err)
		}
		if n, _ := res.RowsAffected(); n == 0 || was != paas.RoleOwner {
			return nil
		}
		return checkOwned(ctx, tx, app, appID)
	})
}

// lockCollaborator looks up the ids of app and user and the role the user
// has ("" for none), and locks the app's row, so that concurrent changes
// cannot both remove the last owner.
func lockCollaborator(ctx context.Context, tx *sql.Tx, app, user string) (appID, userID int64, role paas.Role, err error) {
	err = tx.QueryRowContext(ctx, `SELECT id FROM apps WHERE name = $1 FOR UPDATE`, app).Scan(&appID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, 0, "", errAppNotFound(app)
	case err != nil:
		return 0, 0, "", fmt.Errorf("lock app %q: %w", app, err)
	}
	var was sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT u.id, c.role FROM users u
		LEFT JOIN app_collaborators c ON c.user_id = u.id AND c.app_id = $2
		WHERE u.name = $1`, user, appID).Scan(&userID, &was)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, 0, "", errUserNotFound(user)
	case err != nil:
		return 0, 0, "", fmt.Errorf("look up user %q: %w", user, err)
	}
	return appID, userID, paas.Role(was.String), nil
}

// checkOwned fails with paas.ECONFLICT when app has no owner left.
func checkOwned(ctx context.Context, tx *sql.Tx, app string, appID int64) error {
	var owned bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM app_collaborators WHERE app_id = $1 AND role = 'owner')`, appID).Scan(&owned)
	switch {
	case err != nil:
		return fmt.Errorf("count owners of %q: %w", app, err)
	case !owned:
		return paas.Errorf(paas.ECONFLICT, "app %q would have no owner; make someone else owner first with: paas access:add USER --role owner -a %s", app, app)
	}
	return nil
}
