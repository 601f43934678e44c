package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gitpaas/paas"
)

// IdempotencyTTL is how long a stored response is replayed, in SQL.
const idempotencyTTL = "24 hours"

// ClaimIdempotencyKey claims key for user's request with hash. It returns
// the stored response when the same request already completed, nil when the
// caller now holds the key and must Save or Release it, and an error when
// the key was used for a different request (EINVALID) or the first request
// is still running (ECONFLICT).
func (db *DB) ClaimIdempotencyKey(ctx context.Context, user, key string, hash []byte) (*paas.IdempotentResponse, error) {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < now() - interval '`+idempotencyTTL+`'`); err != nil {
		return nil, fmt.Errorf("expire idempotency keys: %w", err)
	}
	res, err := db.db.ExecContext(ctx, `INSERT INTO idempotency_keys (user_name, key, request_hash)
		VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, user, key, hash)
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil, nil
	}
	var r paas.IdempotentResponse
	var stored []byte
	err = db.db.QueryRowContext(ctx, `SELECT request_hash, status, content_type, body FROM idempotency_keys
		WHERE user_name = $1 AND key = $2`, user, key).Scan(&stored, &r.Status, &r.ContentType, &r.Body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, paas.Errorf(paas.ECONFLICT, "the request with this Idempotency-Key just finished; retry it")
	case err != nil:
		return nil, fmt.Errorf("read idempotency key: %w", err)
	case !bytes.Equal(stored, hash):
		return nil, paas.Errorf(paas.EINVALID, "this Idempotency-Key was used for a different request; use a new key for a new request")
	case r.Status == 0:
		return nil, paas.Errorf(paas.ECONFLICT, "a request with this Idempotency-Key is still running; retry when it has finished")
	}
	return &r, nil
}

// SaveIdempotentResponse stores the response of a claimed key.
func (db *DB) SaveIdempotentResponse(ctx context.Context, user, key string, r paas.IdempotentResponse) error {
	_, err := db.db.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5
		WHERE user_name = $1 AND key = $2`, user, key, r.Status, r.ContentType, r.Body)
	if err != nil {
		return fmt.Errorf("save idempotent response: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed in a
// way worth retrying.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, user, key string) error {
	_, err := db.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_name = $1 AND key = $2`, user, key)
	return err
}
