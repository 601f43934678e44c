-- Webhooks: HTTP endpoints told about an app's build and release events,
-- with a delivery log. A delivery is retried with backoff until it succeeds
-- or runs out of attempts. The signing secret is sealed like config vars.
CREATE TABLE webhooks (
	id         bigserial PRIMARY KEY,
	app_id     bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	url        text NOT NULL,
	secret     bytea NOT NULL,
	events     text[] NOT NULL,
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_app_id_idx ON webhooks (app_id);

CREATE TABLE webhook_deliveries (
	id              bigserial PRIMARY KEY,
	webhook_id      bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event           text NOT NULL,
	payload         bytea NOT NULL,
	status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
	attempts        integer NOT NULL DEFAULT 0,
	response_code   integer NOT NULL DEFAULT 0,
	last_error      text NOT NULL DEFAULT '',
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	created_at      timestamptz NOT NULL DEFAULT now(),
	delivered_at    timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_id_idx ON webhook_deliveries (webhook_id, id);
