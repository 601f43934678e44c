package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
	"github.com/lib/pq/pqerror"
)

// teamsNameKey is the unique constraint on team names.
const teamsNameKey = "teams_name_key"

// teamColumns are the columns scanTeam reads, from teams t.
const teamColumns = `t.name, (SELECT count(*) FROM team_members m WHERE m.team_id = t.id), t.created_at`

func scanTeam(row scanner) (*paas.Team, error) {
	var t paas.Team
	if err := row.Scan(&t.Name, &t.Members, &t.CreatedAt); err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

// ListTeams returns the teams user memberID belongs to, or every team when
// memberID is 0, sorted by name.
func (db *DB) ListTeams(ctx context.Context, memberID int64) ([]*paas.Team, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+teamColumns+` FROM teams t
		WHERE $1::bigint = 0 OR EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.user_id = $1)
		ORDER BY t.name COLLATE "C"`, memberID)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	teams, err := collect(rows, scanTeam)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return teams, nil
}

// CreateTeam records a new team without members. It fails with
// paas.EINVALID when name is not a valid team name and with paas.ECONFLICT
// when a team of that name exists.
func (db *DB) CreateTeam(ctx context.Context, name string) (*paas.Team, error) {
	if err := paas.ValidateTeamName(name); err != nil {
		return nil, err
	}
	row := db.db.QueryRowContext(ctx, `WITH t AS (INSERT INTO teams (name) VALUES ($1) RETURNING *)
		SELECT t.name, 0, t.created_at FROM t`, name)
	t, err := scanTeam(row)
	switch {
	case violates(err, pqerror.UniqueViolation, teamsNameKey):
		return nil, paas.Errorf(paas.ECONFLICT, "team %q already exists; choose another name", name)
	case err != nil:
		return nil, fmt.Errorf("create team %q: %w", name, err)
	}
	return t, nil
}

// DeleteTeam deletes the named team, its memberships and the roles it was
// given on apps.
func (db *DB) DeleteTeam(ctx context.Context, name string) error {
	res, err := db.db.ExecContext(ctx, `DELETE FROM teams WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("delete team %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	return paas.ErrTeamNotFound(name)
}

// teamID returns the id of the named team.
func teamID(ctx context.Context, q querier, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM teams WHERE name = $1`, name).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, paas.ErrTeamNotFound(name)
	case err != nil:
		return 0, fmt.Errorf("look up team %q: %w", name, err)
	}
	return id, nil
}

// userID returns the id of the named user.
func userID(ctx context.Context, q querier, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM users WHERE name = $1`, name).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, errUserNotFound(name)
	case err != nil:
		return 0, fmt.Errorf("look up user %q: %w", name, err)
	}
	return id, nil
}

// teamAndUser returns the ids of the named team and user.
func teamAndUser(ctx context.Context, q querier, team, user string) (int64, int64, error) {
	tid, err := teamID(ctx, q, team)
	if err != nil {
		return 0, 0, err
	}
	uid, err := userID(ctx, q, user)
	return tid, uid, err
}

func scanTeamMember(row scanner) (*paas.TeamMember, error) {
	var m paas.TeamMember
	if err := row.Scan(&m.Team, &m.User, &m.CreatedAt); err != nil {
		return nil, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return &m, nil
}

// ListTeamMembers returns the members of team, sorted by name.
func (db *DB) ListTeamMembers(ctx context.Context, team string) ([]*paas.TeamMember, error) {
	id, err := teamID(ctx, db.db, team)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT t.name, u.name, m.created_at
		FROM team_members m JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id
		WHERE m.team_id = $1 ORDER BY u.name COLLATE "C"`, id)
	if err != nil {
		return nil, fmt.Errorf("list members of team %q: %w", team, err)
	}
	ms, err := collect(rows, scanTeamMember)
	if err != nil {
		return nil, fmt.Errorf("list members of team %q: %w", team, err)
	}
	return ms, nil
}

// AddTeamMember makes user a member of team; adding a member again changes
// nothing. It fails with paas.ENOTFOUND when the team or the user does not
// exist.
func (db *DB) AddTeamMember(ctx context.Context, team, user string) (*paas.TeamMember, error) {
	tid, uid, err := teamAndUser(ctx, db.db, team, user)
	if err != nil {
		return nil, err
	}
	row := db.db.QueryRowContext(ctx, `
		WITH m AS (
			INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)
			ON CONFLICT (team_id, user_id) DO UPDATE SET team_id = EXCLUDED.team_id
			RETURNING *
		)
		SELECT t.name, u.name, m.created_at FROM m JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id`, tid, uid)
	m, err := scanTeamMember(row)
	switch {
	case errors.Is(err, sql.ErrNoRows), isForeignKeyViolation(err):
		return nil, paas.Errorf(paas.ENOTFOUND, "team %q or user %q was just deleted", team, user)
	case err != nil:
		return nil, fmt.Errorf("add %q to team %q: %w", user, team, err)
	}
	return m, nil
}

// RemoveTeamMember takes user out of team, and with it the roles the team
// gave them. It fails with paas.ENOTFOUND when they are not a member.
func (db *DB) RemoveTeamMember(ctx context.Context, team, user string) error {
	tid, uid, err := teamAndUser(ctx, db.db, team, user)
	if err != nil {
		return err
	}
	res, err := db.db.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, tid, uid)
	if err != nil {
		return fmt.Errorf("remove %q from team %q: %w", user, team, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	return paas.Errorf(paas.ENOTFOUND, "user %q is not a member of team %q; list its members with: paas teams:members %s", user, team, team)
}

// SetTeamRole gives team the role on app, replacing any role it had there.
// It fails with paas.ENOTFOUND when the app or the team does not exist.
func (db *DB) SetTeamRole(ctx context.Context, app, team string, role paas.Role) (*paas.Collaborator, error) {
	if !role.Valid() {
		return nil, paas.Errorf(paas.EINVALID, "role %q is not one of viewer, deployer, owner", role)
	}
	aid, err := appID(ctx, db.db, app)
	if err != nil {
		return nil, err
	}
	tid, err := teamID(ctx, db.db, team)
	if err != nil {
		return nil, err
	}
	row := db.db.QueryRowContext(ctx, `
		WITH r AS (
			INSERT INTO app_team_roles (app_id, team_id, role) VALUES ($1, $2, $3)
			ON CONFLICT (app_id, team_id) DO UPDATE SET role = EXCLUDED.role
			RETURNING *
		)
		SELECT `+teamGrantColumns+` FROM r JOIN apps a ON a.id = r.app_id JOIN teams t ON t.id = r.team_id`, aid, tid, role)
	c, err := scanCollaborator(row)
	switch {
	case errors.Is(err, sql.ErrNoRows), isForeignKeyViolation(err):
		return nil, paas.Errorf(paas.ENOTFOUND, "app %q or team %q was just deleted", app, team)
	case err != nil:
		return nil, fmt.Errorf("set role of team %q on %q: %w", team, app, err)
	}
	return c, nil
}

// RemoveTeamRole takes team's role on app away. It fails with
// paas.ENOTFOUND when the team has none there. An app's owners are kept
// among its users, so this never leaves an app without an owner.
func (db *DB) RemoveTeamRole(ctx context.Context, app, team string) error {
	aid, err := appID(ctx, db.db, app)
	if err != nil {
		return err
	}
	tid, err := teamID(ctx, db.db, team)
	if err != nil {
		return err
	}
	res, err := db.db.ExecContext(ctx, `DELETE FROM app_team_roles WHERE app_id = $1 AND team_id = $2`, aid, tid)
	if err != nil {
		return fmt.Errorf("remove team %q from %q: %w", team, app, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	return paas.Errorf(paas.ENOTFOUND, "team %q has no access to app %q; list who has with: paas access -a %s", team, app, app)
}
