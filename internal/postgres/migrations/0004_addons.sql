-- Add-ons: backing services (Postgres, Redis) the platform runs for apps,
-- each as its own Nomad job on a fixed host port, with its password sealed
-- like config vars. An add-on belongs to the app it was created for, which
-- may destroy it; when that app is destroyed the add-on and its data stay,
-- for a platform admin to destroy (app_id becomes NULL). An attachment gives an app an add-on under a name, the
-- prefix of the config var that holds its URL. Backups are dumps of an
-- add-on's data kept under the data directory; their rows outlive the
-- add-on (no foreign key), so that a destroyed add-on's backups can still
-- be restored elsewhere.

CREATE TABLE addons (
	id         bigserial PRIMARY KEY,
	name       text NOT NULL CONSTRAINT addons_name_key UNIQUE,
	type       text NOT NULL,
	plan       text NOT NULL,
	app_id     bigint REFERENCES apps (id) ON DELETE SET NULL,
	state      text NOT NULL CHECK (state IN ('creating', 'available')),
	host       text NOT NULL DEFAULT '',
	port       integer NOT NULL CONSTRAINT addons_port_key UNIQUE,
	secret     bytea NOT NULL,
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- An attached add-on cannot be deleted: detach it first. Destroying an app
-- removes its attachments.
CREATE TABLE addon_attachments (
	id         bigserial PRIMARY KEY,
	addon_id   bigint NOT NULL REFERENCES addons (id) ON DELETE RESTRICT,
	app_id     bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	name       text NOT NULL,
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT addon_attachments_app_name_key UNIQUE (app_id, name)
);
CREATE INDEX addon_attachments_addon_id_idx ON addon_attachments (addon_id);

CREATE TABLE addon_backups (
	id         bigserial PRIMARY KEY,
	addon_id   bigint NOT NULL,
	addon      text NOT NULL,
	size       bigint NOT NULL,
	sha256     text NOT NULL,
	scheduled  boolean NOT NULL DEFAULT false,
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addon_backups_addon_id_id_idx ON addon_backups (addon_id, id);
