-- Custom domains: a hostname routes to one app, and the router presents
-- the domain's certificate for it. The private key is sealed like config
-- vars (AES-256-GCM, bound to the hostname); the certificate is public.
CREATE TABLE domains (
	hostname         text PRIMARY KEY,
	app_id           bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	cert_pem         text NOT NULL,
	key_sealed       bytea NOT NULL,
	cert_not_after   timestamptz NOT NULL,
	cert_self_signed boolean NOT NULL,
	created_by       text NOT NULL,
	created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX domains_app_id_idx ON domains (app_id);
