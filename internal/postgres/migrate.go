package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrations holds the schema changes, applied in the order of the number
// that starts their names. A migration, once released, never changes; a new
// file makes the next change.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the key of the advisory lock that keeps two processes
// from migrating the same database at once.
const migrationLock int64 = 0x7061617353514c // "paasSQL"

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrate applies the migrations in fsys that the database has not had yet,
// each in its own transaction.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	if err := inTx(ctx, db, createMigrationsTable(ctx)); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := inTx(ctx, db, m.apply(ctx)); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// loadMigrations reads migrations/NNNN_name.sql from fsys, ordered by NNNN.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		m, err := loadMigration(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same number", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// loadMigration reads the migration in the named file.
func loadMigration(fsys fs.FS, name string) (migration, error) {
	base := path.Base(name)
	num, _, ok := strings.Cut(base, "_")
	version, err := strconv.Atoi(num)
	if !ok || err != nil || version <= 0 {
		return migration{}, fmt.Errorf("migration %s: name must start with a positive number and an underscore, as in 0002_add_config.sql", base)
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return migration{}, err
	}
	return migration{version: version, name: base, sql: string(b)}, nil
}

// lockMigrations waits until no other transaction migrates the database.
// The lock ends with the transaction.
func lockMigrations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock)
	return err
}

// createMigrationsTable creates the table of applied migrations if it does
// not exist; under the lock, since concurrent CREATE TABLE IF NOT EXISTS can
// fail.
func createMigrationsTable(ctx context.Context) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		if err := lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`)
		return err
	}
}

// apply applies m and records it, unless it was applied before.
func (m migration) apply(ctx context.Context) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		if err := lockMigrations(ctx, tx); err != nil {
			return err
		}
		var applied bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.version).Scan(&applied)
		if err != nil || applied {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
		return err
	}
}
