-- Autoscaling: the policies set through the API (they override what
-- app.yml declares; a disabled row turns autoscaling off), and the counts
-- the autoscaler gave the process types of a release, which override the
-- release's own formation without making a new release.

CREATE TABLE autoscale_policies (
	app_id          bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	process         text NOT NULL,
	enabled         boolean NOT NULL,
	min_count       integer NOT NULL CHECK (min_count >= 0),
	max_count       integer NOT NULL CHECK (max_count >= min_count),
	target_inflight integer NOT NULL DEFAULT 0 CHECK (target_inflight >= 0),
	target_rps      integer NOT NULL DEFAULT 0 CHECK (target_rps >= 0),
	target_p95_ms   integer NOT NULL DEFAULT 0 CHECK (target_p95_ms >= 0),
	idle_seconds    integer NOT NULL DEFAULT 0 CHECK (idle_seconds >= 0),
	updated_by      text NOT NULL,
	updated_at      timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (app_id, process)
);

CREATE TABLE scaled_counts (
	app_id     bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	release    integer NOT NULL,
	process    text NOT NULL,
	count      integer NOT NULL CHECK (count >= 0),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (app_id, release, process)
);
