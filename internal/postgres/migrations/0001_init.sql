-- The first schema of the platform's store: apps, their builds and
-- releases, and the users and tokens that may call the platform.

CREATE TABLE apps (
	id           bigserial PRIMARY KEY,
	name         text NOT NULL CONSTRAINT apps_name_key UNIQUE,
	owner        text NOT NULL,
	-- release is the version of the release currently serving, 0 for none.
	release      integer NOT NULL DEFAULT 0,
	-- last_version is the highest release version handed out, so that
	-- concurrent releases of one app get consecutive versions.
	last_version integer NOT NULL DEFAULT 0,
	created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE builds (
	id          bigserial PRIMARY KEY,
	app_id      bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	commit      text NOT NULL,
	ref         text NOT NULL,
	status      text NOT NULL CHECK (status IN ('pending', 'building', 'succeeded', 'failed')),
	image       text NOT NULL DEFAULT '',
	error       text NOT NULL DEFAULT '',
	-- release is the version of the release made from the build, 0 for none.
	release     integer NOT NULL DEFAULT 0,
	created_by  text NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,
	-- Lets a release name the build it was made from and its own app.
	CONSTRAINT builds_app_id_id_key UNIQUE (app_id, id)
);

-- An app has at most one build in progress.
CREATE UNIQUE INDEX builds_one_running ON builds (app_id)
	WHERE status IN ('pending', 'building');

-- A build's output in the order it was written. Appending a row per chunk
-- keeps an append cheap however long the log grows.
CREATE TABLE build_logs (
	id       bigserial PRIMARY KEY,
	build_id bigint NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
	data     bytea NOT NULL
);
CREATE INDEX build_logs_build_id_id_idx ON build_logs (build_id, id);

CREATE TABLE releases (
	id          bigserial PRIMARY KEY,
	app_id      bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	version     integer NOT NULL,
	image       text NOT NULL,
	build_id    bigint,
	description text NOT NULL DEFAULT '',
	status      text NOT NULL CHECK (status IN ('pending', 'deploying', 'succeeded', 'failed')),
	error       text NOT NULL DEFAULT '',
	created_by  text NOT NULL,
	created_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT releases_app_id_version_key UNIQUE (app_id, version),
	CONSTRAINT releases_build_fkey FOREIGN KEY (app_id, build_id) REFERENCES builds (app_id, id)
);

CREATE TABLE users (
	id         bigserial PRIMARY KEY,
	name       text NOT NULL CONSTRAINT users_name_key UNIQUE,
	admin      boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- Only the SHA-256 hash of a token is stored, never the token.
CREATE TABLE tokens (
	id           bigserial PRIMARY KEY,
	hash         bytea NOT NULL CONSTRAINT tokens_hash_key UNIQUE,
	user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name         text NOT NULL,
	created_at   timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz
);
CREATE INDEX tokens_user_id_idx ON tokens (user_id);
