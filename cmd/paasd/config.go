package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/gitpaas/paas/internal/autoscale"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything paasd reads from flags and the environment. Nothing
// below cmd/ reads either.
type Config struct {
	DataDir     string
	Listen      string
	PublicURL   string
	DatabaseURL string
	NomadAddr   string
	DockerHost  string
	Domain      string
	RouterPort  int
	LogFormat   string
	HookCommand string
	// WebhooksAllowPrivate lets webhooks call loopback and private
	// addresses, for a platform whose CI runs on the same network.
	WebhooksAllowPrivate bool
	// SourceURLAllow lists URL prefixes that source archives may be
	// fetched from.
	SourceURLAllow []string
	// RouterLog is the router's JSON log file, whose lines about an app
	// `paas logs` shows.
	RouterLog string
	// ImageRepository prefixes the names of built images:
	// <prefix>/<app>:build-<id>. Two platforms on one Docker Engine need
	// different prefixes, or destroying an app on one removes the other's
	// images.
	ImageRepository string
	// Runner is the paas-runner binary that one-off processes run under;
	// RunnerSet says whether it was given rather than defaulted.
	Runner    string
	RunnerSet bool
	// RouterMetricsURL is where paas-router serves its Prometheus metrics,
	// which the autoscaler reads every second and the console's charts
	// sample every RouterMetricsInterval.
	RouterMetricsURL      string
	RouterMetricsInterval time.Duration
	// Autoscale tunes the autoscaler's windows and cooldown; zero fields
	// take the autoscale package's defaults. Tests shorten them.
	Autoscale autoscale.Options
	// KeepWarm is how long a release that lost its traffic keeps running,
	// so that rolling back to it only moves traffic.
	KeepWarm time.Duration
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	var c Config
	fs := flag.NewFlagSet("paasd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DataDir, "data-dir", env("PAAS_DATA_DIR", "/var/lib/paas"), "directory for repositories, the admin token and other state (PAAS_DATA_DIR)")
	fs.StringVar(&c.Listen, "listen", env("PAAS_LISTEN", "127.0.0.1:5050"), "address of the API and git endpoint (PAAS_LISTEN)")
	fs.StringVar(&c.PublicURL, "public-url", env("PAAS_API_URL", ""), "URL users reach the API at; default http://<listen> (PAAS_API_URL)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("PAAS_DATABASE_URL", ""), "PostgreSQL connection string; default the socket under the data dir (PAAS_DATABASE_URL)")
	fs.StringVar(&c.NomadAddr, "nomad-addr", env("NOMAD_ADDR", "http://127.0.0.1:4646"), "Nomad agent address (NOMAD_ADDR)")
	fs.StringVar(&c.DockerHost, "docker-host", env("DOCKER_HOST", ""), "Docker Engine address; default the local socket (DOCKER_HOST)")
	fs.StringVar(&c.Domain, "domain", env("PAAS_DOMAIN", "localhost"), "apps are served at <app>.<domain> (PAAS_DOMAIN)")
	routerPort := fs.String("router-port", env("PAAS_ROUTER_PORT", "8080"), "port the router serves apps on, for app URLs (PAAS_ROUTER_PORT)")
	fs.StringVar(&c.LogFormat, "log-format", env("PAAS_LOG_FORMAT", "json"), "json or text (PAAS_LOG_FORMAT)")
	fs.StringVar(&c.HookCommand, "hook-command", env("PAAS_HOOK_COMMAND", ""), "program git runs as the pre-receive hook; default this binary (PAAS_HOOK_COMMAND)")
	fs.BoolVar(&c.WebhooksAllowPrivate, "webhooks-allow-private", env("PAAS_WEBHOOKS_ALLOW_PRIVATE", "") == "true", "let webhooks call loopback and private addresses (PAAS_WEBHOOKS_ALLOW_PRIVATE=true)")
	fs.StringVar(&c.RouterLog, "router-log", env("PAAS_ROUTER_LOG", ""), "paas-router's JSON log file, for the router lines of paas logs; default <data dir>/logs/paas-router.log (PAAS_ROUTER_LOG)")
	fs.StringVar(&c.ImageRepository, "image-repository", env("PAAS_IMAGE_REPOSITORY", "paas"), "prefix of built image names, <prefix>/<app>:build-<id> (PAAS_IMAGE_REPOSITORY)")
	fs.StringVar(&c.Runner, "runner", env("PAAS_RUNNER", ""), "paas-runner binary that one-off processes run under; default paas-runner next to this binary (PAAS_RUNNER)")
	sourceAllow := fs.String("source-url-allow", env("PAAS_SOURCE_URL_ALLOW", ""), "comma-separated URL prefixes that POST /v1/apps/{app}/builds may fetch a source archive from (PAAS_SOURCE_URL_ALLOW)")
	fs.StringVar(&c.RouterMetricsURL, "router-metrics-url", env("PAAS_ROUTER_METRICS_URL", autoscale.DefaultMetricsURL), "paas-router's metrics, which the autoscaler reads and the console's charts sample (PAAS_ROUTER_METRICS_URL)")
	fs.DurationVar(&c.RouterMetricsInterval, "router-metrics-interval", envDuration(getenv, "PAAS_ROUTER_METRICS_INTERVAL", 5*time.Second), "time between samples of the router's metrics (PAAS_ROUTER_METRICS_INTERVAL)")
	fs.DurationVar(&c.Autoscale.StableWindow, "autoscale-stable-window", envDuration(getenv, "PAAS_AUTOSCALE_STABLE_WINDOW", autoscale.DefaultStableWindow), "span over which the autoscaler averages traffic for ordinary decisions (PAAS_AUTOSCALE_STABLE_WINDOW)")
	fs.DurationVar(&c.Autoscale.PanicWindow, "autoscale-panic-window", envDuration(getenv, "PAAS_AUTOSCALE_PANIC_WINDOW", autoscale.DefaultPanicWindow), "short span over which a spike makes the autoscaler act at once; shorter than the stable window (PAAS_AUTOSCALE_PANIC_WINDOW)")
	fs.DurationVar(&c.Autoscale.Cooldown, "autoscale-cooldown", envDuration(getenv, "PAAS_AUTOSCALE_COOLDOWN", autoscale.DefaultCooldown), "time after a change during which the autoscaler does not scale down (PAAS_AUTOSCALE_COOLDOWN)")
	fs.DurationVar(&c.KeepWarm, "keep-warm", envDuration(getenv, "PAAS_KEEP_WARM", 5*time.Minute), "how long the previous release keeps running after a deploy, for instant rollbacks (PAAS_KEEP_WARM)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q; see paasd -h", fs.Arg(0))
	}
	for _, p := range strings.Split(*sourceAllow, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.SourceURLAllow = append(c.SourceURLAllow, p)
		}
	}
	port, err := strconv.Atoi(*routerPort)
	if err != nil || port < 1 || port > 65535 {
		return c, fmt.Errorf("router port %q is not a port number", *routerPort)
	}
	c.RouterPort = port
	c.RunnerSet = c.Runner != ""
	c.Autoscale.MetricsURL = c.RouterMetricsURL
	if c.RouterLog == "" {
		c.RouterLog = filepath.Join(c.DataDir, "logs", "paas-router.log")
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = fmt.Sprintf("host=%s dbname=paas user=postgres sslmode=disable", filepath.Join(c.DataDir, "postgres", "run"))
	}
	return c, c.Validate()
}

// Validate reports a configuration paasd cannot start with.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen address %q: %w", c.Listen, err)
	}
	if !filepath.IsAbs(c.DataDir) {
		return errors.New("data dir must be an absolute path")
	}
	if c.Runner != "" && !filepath.IsAbs(c.Runner) {
		return fmt.Errorf("runner %q must be an absolute path", c.Runner)
	}
	if c.KeepWarm < time.Second {
		return fmt.Errorf("keep-warm %s: use at least 1s", c.KeepWarm)
	}
	if c.RouterMetricsInterval < 100*time.Millisecond {
		return fmt.Errorf("router metrics interval %s: use at least 100ms", c.RouterMetricsInterval)
	}
	if c.Autoscale.StableWindow < time.Second || c.Autoscale.PanicWindow < time.Second || c.Autoscale.Cooldown < time.Second {
		return fmt.Errorf("autoscale windows and cooldown (%s, %s, %s): use at least 1s each", c.Autoscale.StableWindow, c.Autoscale.PanicWindow, c.Autoscale.Cooldown)
	}
	if err := c.Autoscale.Validate(); err != nil {
		return err
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("log format %q: use json or text", c.LogFormat)
	}
	return nil
}

// envDuration reads a duration from the environment, def when unset or
// unreadable (the flag's own parse then reports nothing: say it here).
func envDuration(getenv func(string) string, key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(key)); err == nil {
		return d
	}
	return def
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
