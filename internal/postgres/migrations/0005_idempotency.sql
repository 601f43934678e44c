-- Responses to POSTs sent with an Idempotency-Key, kept for a day so a
-- retried request gets the first answer instead of creating a second thing.
-- A row with status 0 is a request still in flight.
CREATE TABLE idempotency_keys (
	user_name    text NOT NULL,
	key          text NOT NULL,
	request_hash bytea NOT NULL,
	status       integer NOT NULL DEFAULT 0,
	content_type text NOT NULL DEFAULT '',
	body         bytea NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_name, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
