-- Teams: named groups of users that may be given a role on apps. A user's
-- role on an app is the highest of their own and their teams' roles there.

CREATE TABLE teams (
	id         bigserial PRIMARY KEY,
	name       text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_members (
	team_id    bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_id_idx ON team_members (user_id);

CREATE TABLE app_team_roles (
	app_id     bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	team_id    bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	role       text NOT NULL CHECK (role IN ('viewer', 'deployer', 'owner')),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (app_id, team_id)
);
CREATE INDEX app_team_roles_team_id_idx ON app_team_roles (team_id);

-- Every role a user holds on an app, directly or through a team: a user
-- may appear several times for one app. Authorization takes the highest
-- (role_rank); listing apps and the audit log look here too, so that no
-- query forgets the teams.
CREATE VIEW app_user_roles AS
	SELECT app_id, user_id, role FROM app_collaborators
	UNION ALL
	SELECT r.app_id, m.user_id, r.role FROM app_team_roles r JOIN team_members m ON m.team_id = r.team_id;

-- role_rank orders roles as paas.Role does: viewer 1, deployer 2, owner 3.
CREATE FUNCTION role_rank(role text) RETURNS integer
	LANGUAGE sql IMMUTABLE STRICT
	AS $$ SELECT array_position(ARRAY['viewer', 'deployer', 'owner'], role) $$;
