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

// userColumns are the columns that scanUser reads, from users u.
const userColumns = `u.id, u.name, u.admin, u.created_at`

// scanUser reads the userColumns of one row.
func scanUser(row scanner) (*paas.User, error) {
	var u paas.User
	if err := row.Scan(&u.ID, &u.Name, &u.Admin, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// CreateUser records a new user. It fails with paas.ECONFLICT when a user of
// that name exists.
func (db *DB) CreateUser(ctx context.Context, name string, admin bool) (*paas.User, error) {
	if name == "" {
		return nil, paas.Errorf(paas.EINVALID, "user name is empty; give the user a name")
	}
	row := db.db.QueryRowContext(ctx, `INSERT INTO users AS u (name, admin) VALUES ($1, $2)
		RETURNING `+userColumns, name, admin)
	u, err := scanUser(row)
	switch {
	case violates(err, pqerror.UniqueViolation, usersNameKey):
		return nil, paas.Errorf(paas.ECONFLICT, "user %q already exists; choose another name", name)
	case err != nil:
		return nil, fmt.Errorf("create user %q: %w", name, err)
	}
	return u, nil
}

// GetUser returns the named user.
func (db *DB) GetUser(ctx context.Context, name string) (*paas.User, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.name = $1`, name)
	u, err := scanUser(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errUserNotFound(name)
	case err != nil:
		return nil, fmt.Errorf("get user %q: %w", name, err)
	}
	return u, nil
}

// CountUsers returns the number of users.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateToken records a token of user userID by the SHA-256 hash of its
// secret, never the secret itself; name says what the token is for. The
// token has scope admin and does not expire; AddToken makes narrower ones.
func (db *DB) CreateToken(ctx context.Context, userID int64, name string, hash []byte) error {
	if len(hash) != sha256.Size {
		return fmt.Errorf("create token %q: hash has %d bytes, want a %d-byte sha-256 hash", name, len(hash), sha256.Size)
	}
	_, err := db.db.ExecContext(ctx, `INSERT INTO tokens (hash, user_id, name, scope) VALUES ($1, $2, $3, 'admin')`, hash, userID, name)
	switch {
	case violates(err, pqerror.UniqueViolation, tokensHashKey):
		return paas.Errorf(paas.ECONFLICT, "token exists already; create a new token")
	case isForeignKeyViolation(err):
		return paas.Errorf(paas.ENOTFOUND, "user %d not found; create the user before its tokens", userID)
	case err != nil:
		return fmt.Errorf("create token %q: %w", name, err)
	}
	return nil
}
