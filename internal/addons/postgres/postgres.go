// Package postgres is the provider of Postgres add-ons: PostgreSQL 15 from
// Debian in the image paas/addon-postgres:15 (deploy/addons/postgres), with
// a role and a database named app. Backups are custom-format dumps
// (pg_dump -Fc) restored with pg_restore --clean in one transaction.
package postgres

import (
	"net"
	"net/url"
	"strconv"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/addons"
)

// Image is the local image that runs a Postgres add-on.
const Image = "paas/addon-postgres:15"

// The names inside the image: the role and database apps use, where the
// cluster lives and the entrypoint's backup and restore commands.
const (
	database      = "app"
	containerPort = 5432
	mountPath     = "/var/lib/postgresql/data"
	entrypoint    = "/usr/local/bin/paas-postgres"
)

var (
	_ addons.Provider = Provider{}
	_ addons.Backuper = Provider{}
)

// Provider runs Postgres add-ons.
type Provider struct{}

// Name is "postgres".
func (Provider) Name() string { return "postgres" }

// Image returns Image.
func (Provider) Image() string { return Image }

// Plans offers dev: a small database for development and hobby apps.
func (Provider) Plans() []addons.Plan {
	return []addons.Plan{{Name: addons.DefaultPlan, CPU: 200, Memory: 256}}
}

// Attachment is DATABASE, for DATABASE_URL.
func (Provider) Attachment() string { return "DATABASE" }

// Job runs the image's entrypoint, which makes the cluster with the
// password on first start. Postgres shuts down fast and cleanly on SIGINT.
func (Provider) Job(i addons.Instance) paas.AddonJob {
	return paas.AddonJob{
		Image:         Image,
		Env:           map[string]string{"PAAS_ADDON_PASSWORD": i.Password},
		ContainerPort: containerPort,
		MountPath:     mountPath,
		KillSignal:    "SIGINT",
		CPU:           i.Plan.CPU,
		Memory:        i.Plan.Memory,
	}
}

// URL is postgres://app:<password>@host:port/app?sslmode=disable: the
// connection stays on this host, unencrypted.
func (Provider) URL(i addons.Instance, ep paas.Endpoint) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(database, i.Password),
		Host:     net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// BackupCommand dumps the database in pg_dump's custom format to the file
// the platform names.
func (Provider) BackupCommand() []string { return []string{entrypoint, "backup"} }

// RestoreCommand replaces the database's objects with those of a dump, in
// one transaction that a failure rolls back.
func (Provider) RestoreCommand() []string { return []string{entrypoint, "restore"} }
