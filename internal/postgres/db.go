// Package postgres keeps the platform's state (apps, builds, releases,
// users and tokens) in PostgreSQL. It is the only package that imports
// lib/pq; the rest of the module sees root paas types and paas errors.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// DB is the platform's store in a PostgreSQL database. It is safe for
// concurrent use.
type DB struct {
	db     *sql.DB
	cipher Cipher
}

// Open connects to the database that dsn names, checks that it answers and
// brings its schema up to date. dsn is a lib/pq connection string, such as
// "host=localhost dbname=paas user=paas sslmode=disable"; set sslmode
// explicitly. Several processes may Open the same database at once.
func Open(ctx context.Context, dsn string) (*DB, error) {
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database connection string: %w", err)
	}
	db := sql.OpenDB(connector)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := migrate(ctx, db, migrations); err != nil {
		db.Close()
		return nil, err
	}
	return &DB{db: db}, nil
}

// Close closes the connections to the database.
func (db *DB) Close() error {
	return db.db.Close()
}

// Ping checks that the database answers, for health checks.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// querier runs queries outside or inside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner reads the columns of one row.
type scanner interface {
	Scan(dest ...any) error
}

// inTx runs fn in a transaction that it commits when fn succeeds and rolls
// back otherwise.
func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// limitArg turns a list limit into a LIMIT argument: NULL, no limit, when
// n is not positive.
func limitArg(n int) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(n), Valid: n > 0}
}

// nullTime returns the time of t in UTC, or nil for NULL.
func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// collect reads every row of rows with scan and closes rows. It returns an
// empty, not nil, slice when there are no rows, so that lists encode as [].
func collect[T any](rows *sql.Rows, scan func(scanner) (*T, error)) ([]*T, error) {
	defer rows.Close()
	list := []*T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}
