// Package redis is the provider of Redis add-ons: Redis 7 from Debian in
// the image paas/addon-redis:7 (deploy/addons/redis), password protected,
// persisting every write to an append-only file in its data directory.
package redis

import (
	"net"
	"net/url"
	"strconv"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/addons"
)

// Image is the local image that runs a Redis add-on.
const Image = "paas/addon-redis:7"

const (
	containerPort = 6379
	mountPath     = "/data"
)

var _ addons.Provider = Provider{}

// Provider runs Redis add-ons.
type Provider struct{}

// Name is "redis".
func (Provider) Name() string { return "redis" }

// Image returns Image.
func (Provider) Image() string { return Image }

// Plans offers dev: a small cache.
func (Provider) Plans() []addons.Plan {
	return []addons.Plan{{Name: addons.DefaultPlan, CPU: 100, Memory: 64}}
}

// Attachment is REDIS, for REDIS_URL.
func (Provider) Attachment() string { return "REDIS" }

// Job runs the image's entrypoint, which writes the config with the
// password and starts redis-server with appendonly yes. Redis saves and
// exits on SIGTERM.
func (Provider) Job(i addons.Instance) paas.AddonJob {
	return paas.AddonJob{
		Image:         Image,
		Env:           map[string]string{"PAAS_ADDON_PASSWORD": i.Password},
		ContainerPort: containerPort,
		MountPath:     mountPath,
		KillSignal:    "SIGTERM",
		CPU:           i.Plan.CPU,
		Memory:        i.Plan.Memory,
	}
}

// URL is redis://default:<password>@host:port/0.
func (Provider) URL(i addons.Instance, ep paas.Endpoint) string {
	u := url.URL{
		Scheme: "redis",
		User:   url.UserPassword("default", i.Password),
		Host:   net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port)),
		Path:   "/0",
	}
	return u.String()
}
