-- Accounts: passwords, token scopes, expiry and revocation, per-app roles
-- and the audit log.

-- A bcrypt hash; NULL for users who log in with tokens only, such as the
-- admin made at first start.
ALTER TABLE users ADD COLUMN password_hash bytea;

-- Tokens made before scopes existed are the admin's first token: they keep
-- every right. New tokens always name their scope.
ALTER TABLE tokens
	ADD COLUMN scope      text NOT NULL DEFAULT 'admin' CHECK (scope IN ('read', 'deploy', 'admin')),
	ADD COLUMN expires_at timestamptz,
	ADD COLUMN revoked_at timestamptz;
ALTER TABLE tokens ALTER COLUMN scope DROP DEFAULT;

-- Who may do what with an app. Whoever creates an app owns it.
CREATE TABLE app_collaborators (
	app_id     bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       text NOT NULL CHECK (role IN ('viewer', 'deployer', 'owner')),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (app_id, user_id)
);
CREATE INDEX app_collaborators_user_id_idx ON app_collaborators (user_id);

INSERT INTO app_collaborators (app_id, user_id, role)
	SELECT a.id, u.id, 'owner' FROM apps a JOIN users u ON u.name = a.owner;

-- Every change someone asked for, allowed or not. Rows name users and apps
-- rather than refer to them, so that they outlive both. Never a request
-- body: bodies may hold secrets.
CREATE TABLE audit_log (
	id         bigserial PRIMARY KEY,
	user_name  text NOT NULL DEFAULT '',
	token_id   bigint,
	action     text NOT NULL,
	app        text NOT NULL DEFAULT '',
	method     text NOT NULL,
	path       text NOT NULL,
	status     integer NOT NULL,
	client_ip  text NOT NULL DEFAULT '',
	request_id text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_app_id_idx ON audit_log (app, id);
