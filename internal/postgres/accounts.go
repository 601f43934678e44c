package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
	"github.com/lib/pq/pqerror"
)

// CreateUserWithPassword records a new user who logs in with a password,
// given as its bcrypt hash. It fails with paas.EINVALID for a name that
// cannot name a user and with paas.ECONFLICT when the name is taken.
func (db *DB) CreateUserWithPassword(ctx context.Context, name string, admin bool, passwordHash []byte) (*paas.User, error) {
	if err := paas.ValidateUserName(name); err != nil {
		return nil, err
	}
	row := db.db.QueryRowContext(ctx, `INSERT INTO users AS u (name, admin, password_hash) VALUES ($1, $2, $3)
		RETURNING `+userColumns, name, admin, passwordHash)
	u, err := scanUser(row)
	switch {
	case violates(err, pqerror.UniqueViolation, usersNameKey):
		return nil, paas.Errorf(paas.ECONFLICT, "user %q already exists; choose another name", name)
	case err != nil:
		return nil, fmt.Errorf("create user %q: %w", name, err)
	}
	return u, nil
}

// UserPassword returns the named user and the bcrypt hash of their
// password, nil when they have none.
func (db *DB) UserPassword(ctx context.Context, name string) (*paas.User, []byte, error) {
	var hash []byte
	row := db.db.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.name = $1`, name)
	var u paas.User
	err := row.Scan(&u.ID, &u.Name, &u.Admin, &u.CreatedAt, &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil, errUserNotFound(name)
	case err != nil:
		return nil, nil, fmt.Errorf("get user %q: %w", name, err)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, hash, nil
}

// ListUsers returns every user, sorted by name.
func (db *DB) ListUsers(ctx context.Context) ([]*paas.User, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users, err := collect(rows, scanUser)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// tokenColumns are the columns that scanToken reads, from tokens t joined
// with users u.
const tokenColumns = `t.id, u.name, t.name, t.scope, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

// scanToken reads the tokenColumns of one row.
func scanToken(row scanner) (*paas.Token, error) {
	var t paas.Token
	var expires, used, revoked sql.NullTime
	if err := row.Scan(&t.ID, &t.User, &t.Name, &t.Scope, &t.CreatedAt, &expires, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = nullTime(expires), nullTime(used), nullTime(revoked)
	return &t, nil
}

// AddToken records a token of user userID with the name, scope and expiry
// of t, by the SHA-256 hash of its secret, and returns it as stored.
func (db *DB) AddToken(ctx context.Context, userID int64, t paas.Token, hash []byte) (*paas.Token, error) {
	if len(hash) != sha256.Size {
		return nil, fmt.Errorf("add token %q: hash has %d bytes, want a %d-byte sha-256 hash", t.Name, len(hash), sha256.Size)
	}
	if !t.Scope.Valid() {
		return nil, paas.Errorf(paas.EINVALID, "token scope %q is not one of read, deploy, admin", t.Scope)
	}
	row := db.db.QueryRowContext(ctx, `
		WITH t AS (
			INSERT INTO tokens (hash, user_id, name, scope, expires_at) VALUES ($1, $2, $3, $4, $5)
			RETURNING *
		)
		SELECT `+tokenColumns+` FROM t JOIN users u ON u.id = t.user_id`,
		hash, userID, t.Name, t.Scope, t.ExpiresAt)
	got, err := scanToken(row)
	switch {
	case violates(err, pqerror.UniqueViolation, tokensHashKey):
		return nil, paas.Errorf(paas.ECONFLICT, "token exists already; create a new token")
	case isForeignKeyViolation(err):
		return nil, paas.Errorf(paas.ENOTFOUND, "user %d not found; create the user before its tokens", userID)
	case err != nil:
		return nil, fmt.Errorf("add token %q: %w", t.Name, err)
	}
	return got, nil
}

// IdentityByTokenHash returns the token whose SHA-256 hash is hash and its
// user, expired or revoked as it may be, and records that the token was
// used. It fails with paas.ENOTFOUND when no token has that hash.
func (db *DB) IdentityByTokenHash(ctx context.Context, hash []byte) (*paas.Identity, error) {
	// Touching last_used_at at most once a minute spares a write per request.
	row := db.db.QueryRowContext(ctx, `
		WITH t AS (
			SELECT * FROM tokens WHERE hash = $1
		), touched AS (
			UPDATE tokens SET last_used_at = now() FROM t
			WHERE tokens.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute')
		)
		SELECT `+userColumns+`, `+tokenColumns+` FROM users u JOIN t ON u.id = t.user_id`, hash)
	id, err := scanIdentity(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, paas.Errorf(paas.ENOTFOUND, "token not recognised; log in again with: paas login")
	case err != nil:
		return nil, fmt.Errorf("look up token: %w", err)
	}
	return id, nil
}

// scanIdentity reads the userColumns and then the tokenColumns of one row.
func scanIdentity(row scanner) (*paas.Identity, error) {
	var id paas.Identity
	var expires, used, revoked sql.NullTime
	u, t := &id.User, &id.Token
	err := row.Scan(&u.ID, &u.Name, &u.Admin, &u.CreatedAt,
		&t.ID, &t.User, &t.Name, &t.Scope, &t.CreatedAt, &expires, &used, &revoked)
	if err != nil {
		return nil, err
	}
	u.CreatedAt, t.CreatedAt = u.CreatedAt.UTC(), t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = nullTime(expires), nullTime(used), nullTime(revoked)
	return &id, nil
}

// ListTokens returns the tokens of user userID that are not revoked, newest
// first. Expired ones are listed until they are revoked.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]*paas.Token, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens t JOIN users u ON u.id = t.user_id
		WHERE t.user_id = $1 AND t.revoked_at IS NULL ORDER BY t.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	tokens, err := collect(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return tokens, nil
}

// RevokeToken revokes token id of user userID, or of any user when userID
// is 0. It fails with paas.ENOTFOUND when there is no such token that is
// not revoked yet.
func (db *DB) RevokeToken(ctx context.Context, id, userID int64) error {
	res, err := db.db.ExecContext(ctx, `UPDATE tokens SET revoked_at = now()
		WHERE id = $1 AND ($2::bigint = 0 OR user_id = $2) AND revoked_at IS NULL`, id, userID)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	return paas.Errorf(paas.ENOTFOUND, "token %d not found or already revoked; list your tokens with: paas tokens", id)
}
