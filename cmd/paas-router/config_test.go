package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitpaas/paas/router"
	"github.com/google/go-cmp/cmp"
)

func TestParseConfig(t *testing.T) {
	dataDir := t.TempDir()
	defaults := config{
		listen: "127.0.0.1:8080", tlsListen: "127.0.0.1:8443", metricsListen: "127.0.0.1:9101", nomadAddr: "http://127.0.0.1:4646",
		domain: "localhost", logFormat: "json", accessLog: true, shutdownTimeout: defaultShutdownTimeout,
		wakeURL: "http://127.0.0.1:5050", holdTimeout: router.DefaultHoldTimeout,
		limits: router.Options{MaxConcurrent: router.DefaultMaxConcurrent, RateLimit: router.DefaultRateLimit,
			RateBurst: router.DefaultRateBurst, MaxBodyBytes: router.DefaultMaxBodyBytes, DrainTimeout: router.DefaultDrainTimeout},
	}
	with := func(f func(*config)) config {
		c := defaults
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    config
		wantErr bool
	}{
		{"defaults without a data dir", nil, map[string]string{"PAAS_DATA_DIR": filepath.Join(dataDir, "missing")}, defaults, false},
		{"state file in a writable data dir", nil, map[string]string{"PAAS_DATA_DIR": dataDir},
			with(func(c *config) { c.stateFile = filepath.Join(dataDir, "router-table.json") }), false},
		{"state file turned off", []string{"--state-file="}, map[string]string{"PAAS_DATA_DIR": dataDir}, defaults, false},
		{"flags", []string{"--listen", ":80", "--metrics-listen", "", "--access-log=false", "--rate-limit", "-1", "--max-concurrent", "10",
			"--max-body-bytes", "1024", "--rate-burst", "5", "--shutdown-timeout", "3s", "--state-file", "/tmp/t.json"},
			map[string]string{"PAAS_DATA_DIR": filepath.Join(dataDir, "missing")},
			with(func(c *config) {
				c.listen, c.metricsListen, c.accessLog, c.stateFile, c.shutdownTimeout = ":80", "", false, "/tmp/t.json", 3*time.Second
				c.limits.RateLimit, c.limits.MaxConcurrent, c.limits.MaxBodyBytes, c.limits.RateBurst = router.Unlimited, 10, 1024, 5
			}), false},
		{"environment", nil, map[string]string{"PAAS_DATA_DIR": filepath.Join(dataDir, "missing"), "PAAS_ROUTER_LISTEN": ":81",
			"PAAS_ROUTER_RATE_LIMIT": "50", "PAAS_ROUTER_ACCESS_LOG": "false", "PAAS_ROUTER_STATE_FILE": "/tmp/s.json"},
			with(func(c *config) {
				c.listen, c.limits.RateLimit, c.accessLog, c.stateFile = ":81", 50, false, "/tmp/s.json"
			}), false},
		{"tls listener", []string{"--tls-listen", ":443"}, map[string]string{"PAAS_DATA_DIR": filepath.Join(dataDir, "missing")},
			with(func(c *config) { c.tlsListen = ":443" }), false},
		{"tls listener turned off", []string{"--tls-listen="}, map[string]string{"PAAS_DATA_DIR": filepath.Join(dataDir, "missing"), "PAAS_ROUTER_TLS_LISTEN": ":443"},
			with(func(c *config) { c.tlsListen = "" }), false},
		{"tls listener from the environment", nil, map[string]string{"PAAS_DATA_DIR": filepath.Join(dataDir, "missing"), "PAAS_ROUTER_TLS_LISTEN": "127.0.0.1:9443"},
			with(func(c *config) { c.tlsListen = "127.0.0.1:9443" }), false},
		{"flag wins over environment", []string{"--listen", ":82"}, map[string]string{"PAAS_DATA_DIR": filepath.Join(dataDir, "missing"), "PAAS_ROUTER_LISTEN": ":81"},
			with(func(c *config) { c.listen = ":82" }), false},
		{"bad environment value", nil, map[string]string{"PAAS_ROUTER_MAX_CONCURRENT": "many"}, config{}, true},
		{"stray argument", []string{"serve"}, nil, config{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseConfig = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultStateFileNeedsAWritableDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	os.WriteFile(file, nil, 0o600)
	tests := []struct {
		name, dataDir, want string
	}{
		{"writable", dir, filepath.Join(dir, stateFileName)},
		{"missing", filepath.Join(dir, "nope"), ""},
		{"not a directory", file, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := defaultStateFile(tc.dataDir); got != tc.want {
				t.Errorf("defaultStateFile(%q) = %q, want %q", tc.dataDir, got, tc.want)
			}
		})
	}
}
