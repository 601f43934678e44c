package router

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gitpaas/paas"
	"github.com/prometheus/client_golang/prometheus"
)

// healthState is where a target is in its health life. A target starts
// unknown and receives traffic only while healthy.
type healthState int

const (
	stateUnknown healthState = iota
	stateHealthy
	stateUnhealthy
)

func (s healthState) String() string {
	return [...]string{"unknown", "healthy", "unhealthy"}[s]
}

// thresholds are the consecutive check results that flip a target's health.
type thresholds struct {
	healthy, unhealthy int
}

// target is one instance of an app that the router may send requests to.
// Its health is written by its checker and by failed requests, and read
// lock-free on every request.
type target struct {
	inst      paas.Instance
	release   string   // inst.Release, as the metrics' release label
	url       *url.URL // base URL of the instance, http://addr
	healthURL string
	limits    thresholds
	logger    *slog.Logger
	metrics   releaseMetrics
	ejections prometheus.Counter // the app's

	healthy atomic.Bool
	conns   connPool // idle connections of the lean path

	mu        sync.Mutex
	state     healthState
	successes int // consecutive passing checks
	failures  int // consecutive failing checks
	// streams are the long-lived requests (websockets, event streams) in
	// flight, closed when the target's release stops taking traffic.
	streams    map[uint64]context.CancelFunc
	nextStream uint64

	ctx  context.Context // done once the target left the table
	stop context.CancelFunc
}

// newTarget returns a target for inst, which normalizeInstance accepted.
// The target stays out of rotation until its checker reports it healthy.
func newTarget(parent context.Context, inst paas.Instance, limits thresholds, logger *slog.Logger) *target {
	ctx, stop := context.WithCancel(parent)
	return &target{
		inst:      inst,
		release:   releaseLabel(inst.Release),
		url:       &url.URL{Scheme: "http", Host: inst.Addr},
		healthURL: "http://" + inst.Addr + inst.HealthPath,
		limits:    limits,
		logger:    logger.With("app", inst.App, "release", inst.Release, "addr", inst.Addr, "alloc", inst.AllocID),
		ctx:       ctx,
		stop:      stop,
	}
}

func (t *target) isHealthy() bool { return t.healthy.Load() }

// removed reports whether the target has left the table. Requests already
// on their way to it still complete.
func (t *target) removed() bool { return t.ctx.Err() != nil }

// checkPassed records a passing active check.
func (t *target) checkPassed() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures = 0
	t.successes++
	if t.state != stateHealthy && t.successes >= t.limits.healthy {
		t.setState(stateHealthy, nil)
	}
}

// checkFailed records a failing active check. A target that was never
// healthy is reported unhealthy at once, so the log says why a new instance
// gets no traffic.
func (t *target) checkFailed(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.successes = 0
	t.failures++
	if t.state == stateUnknown || t.state == stateHealthy && t.failures >= t.limits.unhealthy {
		t.setState(stateUnhealthy, err)
	}
}

// connectionFailed takes the target out of rotation right away: a target
// that refuses connections will fail every request until its checker sees
// it pass again.
func (t *target) connectionFailed(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.successes = 0
	t.failures = max(t.failures, t.limits.unhealthy)
	if t.state != stateUnhealthy {
		t.setState(stateUnhealthy, fmt.Errorf("request failed: %w", err))
	}
}

// setState must be called with t.mu held. A healthy target that leaves
// rotation counts as an ejection.
func (t *target) setState(s healthState, err error) {
	if t.state == stateHealthy && s == stateUnhealthy && t.ejections != nil {
		t.ejections.Inc()
	}
	t.state = s
	t.healthy.Store(s == stateHealthy)
	if t.removed() {
		return
	}
	if err != nil {
		t.logger.Info("target "+s.String(), "error", err)
		return
	}
	t.logger.Info("target " + s.String())
}

// normalizeInstance fills inst's default health path and reports why the
// router cannot use inst, if it cannot.
func normalizeInstance(inst paas.Instance) (paas.Instance, error) {
	if !validLabel(inst.App) {
		return inst, fmt.Errorf("app name %q is not a lower-case dns label", clip(inst.App))
	}
	if err := validateAddr(inst.Addr); err != nil {
		return inst, err
	}
	if inst.HealthPath == "" {
		inst.HealthPath = DefaultHealthPath
	}
	if err := validateHealthPath(inst.HealthPath); err != nil {
		return inst, err
	}
	return inst, nil
}

// validateAddr accepts host:port with a host and a port from 1 to 65535.
func validateAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", clip(addr), err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
		return fmt.Errorf("address %q is not host:port", clip(addr))
	}
	return nil
}

// validateHealthPath accepts an absolute path, with an optional query, that
// forms a valid URL.
func validateHealthPath(path string) error {
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return fmt.Errorf("health path %q must start with a single /", clip(path))
	}
	if _, err := url.ParseRequestURI(path); err != nil {
		return fmt.Errorf("health path %q: %w", clip(path), err)
	}
	return nil
}
