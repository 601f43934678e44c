package postgres

import "context"

// RawForTest reads one value with a query, for tests that look under the
// store's API (for example at sealed bytes).
func (db *DB) RawForTest(ctx context.Context, query string, arg any, dest any) error {
	return db.db.QueryRowContext(ctx, query, arg).Scan(dest)
}
