-- Releases carry how they run (spec), why they were made (reason), the
-- app.yml they came from and a sealed copy of the app's config vars. The
-- app keeps its current config vars, sealed, so they can be set before the
-- first release. app_events records what happened to an app, such as drift
-- the reconciler repaired.

ALTER TABLE releases
	ADD COLUMN reason      text   NOT NULL DEFAULT 'deploy',
	ADD COLUMN spec        jsonb  NOT NULL DEFAULT '{}',
	ADD COLUMN config      bytea,
	ADD COLUMN config_keys text[] NOT NULL DEFAULT '{}',
	ADD COLUMN app_yml     text   NOT NULL DEFAULT '';

ALTER TABLE apps ADD COLUMN config bytea;

CREATE TABLE app_events (
	id         bigserial PRIMARY KEY,
	app_id     bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	kind       text NOT NULL,
	message    text NOT NULL,
	created_by text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_events_app_id_kind_id_idx ON app_events (app_id, kind, id);
