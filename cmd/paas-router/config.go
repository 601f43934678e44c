package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gitpaas/paas/router"
)

// defaultDataDir is where the platform keeps its state, as in paasd.
const defaultDataDir = "/var/lib/paas"

// stateFileName is the name of the last-known routing table in the data
// directory.
const stateFileName = "router-table.json"

// defaultShutdownTimeout bounds the drain at shutdown: long enough for
// ordinary requests, short enough for a service manager's stop timeout.
const defaultShutdownTimeout = 25 * time.Second

type config struct {
	listen, metricsListen, nomadAddr, domain, logFormat, stateFile string
	tlsListen                                                      string
	wakeURL                                                        string
	holdTimeout                                                    time.Duration
	accessLog, pprof                                               bool
	shutdownTimeout                                                time.Duration
	limits                                                         router.Options
}

// envOf names the environment variable each flag falls back to when it is
// not given on the command line.
var envOf = map[string]string{
	"listen":           "PAAS_ROUTER_LISTEN",
	"tls-listen":       "PAAS_ROUTER_TLS_LISTEN",
	"metrics-listen":   "PAAS_ROUTER_METRICS_LISTEN",
	"nomad-addr":       "NOMAD_ADDR",
	"domain":           "PAAS_DOMAIN",
	"log-format":       "PAAS_LOG_FORMAT",
	"state-file":       "PAAS_ROUTER_STATE_FILE",
	"access-log":       "PAAS_ROUTER_ACCESS_LOG",
	"max-concurrent":   "PAAS_ROUTER_MAX_CONCURRENT",
	"rate-limit":       "PAAS_ROUTER_RATE_LIMIT",
	"rate-burst":       "PAAS_ROUTER_RATE_BURST",
	"max-body-bytes":   "PAAS_ROUTER_MAX_BODY_BYTES",
	"shutdown-timeout": "PAAS_ROUTER_SHUTDOWN_TIMEOUT",
	"wake-url":         "PAAS_ROUTER_WAKE_URL",
	"hold-timeout":     "PAAS_ROUTER_HOLD_TIMEOUT",
	"drain-timeout":    "PAAS_ROUTER_DRAIN_TIMEOUT",
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("paas-router", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address to serve apps on")
	fs.StringVar(&c.tlsListen, "tls-listen", "127.0.0.1:8443", "address to serve apps on over TLS (custom domains' certificates by SNI); empty for none")
	fs.StringVar(&c.metricsListen, "metrics-listen", "127.0.0.1:9101", "address to serve /metrics and /healthz on; empty for none")
	fs.StringVar(&c.nomadAddr, "nomad-addr", "http://127.0.0.1:4646", "Nomad agent address")
	fs.StringVar(&c.domain, "domain", router.DefaultDomain, "apps are served at <app>.<domain>")
	fs.StringVar(&c.logFormat, "log-format", "json", "json or text")
	fs.StringVar(&c.stateFile, "state-file", defaultStateFile(getenv("PAAS_DATA_DIR")),
		"where to keep the last-known routing table; empty for none (default $PAAS_DATA_DIR/"+stateFileName+" when that directory is writable)")
	fs.BoolVar(&c.accessLog, "access-log", true, "log one JSON line per request")
	fs.BoolVar(&c.pprof, "pprof", false, "also serve /debug/pprof/ on the metrics address")
	fs.IntVar(&c.limits.MaxConcurrent, "max-concurrent", router.DefaultMaxConcurrent, "requests in flight per app before 503; -1 for no limit")
	fs.Float64Var(&c.limits.RateLimit, "rate-limit", router.DefaultRateLimit, "requests per second per app before 429; -1 for no limit")
	fs.IntVar(&c.limits.RateBurst, "rate-burst", router.DefaultRateBurst, "requests per app allowed at once above the rate limit")
	fs.Int64Var(&c.limits.MaxBodyBytes, "max-body-bytes", router.DefaultMaxBodyBytes, "largest request body before 413; -1 for no limit")
	fs.StringVar(&c.wakeURL, "wake-url", "http://127.0.0.1:5050", "paasd's address, asked to start apps that scaled to zero while their requests wait; empty for none")
	fs.DurationVar(&c.holdTimeout, "hold-timeout", router.DefaultHoldTimeout, "longest wait of a request for an app that scaled to zero before 503")
	fs.DurationVar(&c.limits.DrainTimeout, "drain-timeout", router.DefaultDrainTimeout, "how long websockets and event streams stay open on a release that lost its traffic")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", defaultShutdownTimeout, "longest wait for requests in flight at shutdown")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q; see paas-router -h", fs.Arg(0))
	}
	return c, applyEnv(fs, getenv)
}

// applyEnv sets every flag not given on the command line from its
// environment variable, if that is set, with the flag's own parsing.
func applyEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, env := range envOf {
		v := getenv(env)
		if given[name] || v == "" {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("%s=%q: %w", env, v, err)
		}
	}
	return nil
}

// defaultStateFile is router-table.json in the data directory when that
// directory exists and is writable, and none otherwise. A second router on
// the same machine (a test's) must pass its own --state-file, or an empty
// one, so as not to overwrite the platform's table.
func defaultStateFile(dataDir string) string {
	if dataDir == "" {
		dataDir = defaultDataDir
	}
	if fi, err := os.Stat(dataDir); err != nil || !fi.IsDir() || syscall.Access(dataDir, 2 /* W_OK */) != nil {
		return ""
	}
	return filepath.Join(dataDir, stateFileName)
}

// routerOptions returns the router's Options from c.
func (c config) routerOptions() router.Options {
	o := c.limits
	o.Domain = c.domain
	o.AccessLog = c.accessLog
	o.StateFile = c.stateFile
	return o
}
