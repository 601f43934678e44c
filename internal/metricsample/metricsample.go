// Package metricsample keeps a short history of each app's traffic for the
// web console's charts. A Sampler scrapes the router's Prometheus metrics
// every few seconds and turns the counters and histograms into rates and
// latency quantiles per interval, kept in a bounded ring per app. It is
// memory only: a restart of paasd starts the history again, and a router
// restart (counters back to zero) costs one interval.
package metricsample

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// Defaults of Options.
const (
	DefaultInterval = 5 * time.Second
	// DefaultKeep is half an hour of points at the default interval.
	DefaultKeep = 360
	// maxApps bounds the number of rings; the router's labels are already
	// bounded by what is deployed.
	maxApps = 10_000
	// maxBody bounds a scrape.
	maxBody = 16 << 20
)

// Options configure a Sampler.
type Options struct {
	// URL is the router's metrics address, such as
	// http://127.0.0.1:9101/metrics. Empty turns sampling off.
	URL string
	// Interval is the time between scrapes; Keep the points per app.
	Interval time.Duration
	Keep     int
	// Instances, when set, counts an app's running web instances at each
	// scrape.
	Instances func(ctx context.Context, app string) (int, error)
}

// Point is one interval of an app's traffic.
type Point struct {
	Time time.Time
	// RPS is requests per second, ErrorRate 5xx answers per second.
	RPS, ErrorRate float64
	// P50 and P95 are latency quantiles over the interval; zero without
	// requests.
	P50, P95 time.Duration
	InFlight float64
	// Instances is -1 when unknown.
	Instances int
}

// Sampler scrapes the router and keeps each app's recent points. It is
// safe for concurrent use.
type Sampler struct {
	opts   Options
	client *http.Client
	logger *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	last   map[string]appTotals
	lastAt time.Time
	rings  map[string][]Point
}

// New returns a Sampler; Run starts it.
func New(opts Options, logger *slog.Logger) *Sampler {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeep
	}
	return &Sampler{opts: opts, client: &http.Client{Timeout: opts.Interval}, logger: logger,
		now: time.Now, rings: map[string][]Point{}}
}

// Interval is the time between points.
func (s *Sampler) Interval() time.Duration { return s.opts.Interval }

// Run scrapes every interval until ctx ends. A failed scrape is logged
// once until one succeeds again; the router may simply be starting.
func (s *Sampler) Run(ctx context.Context) {
	if s.opts.URL == "" {
		return
	}
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	failing := false
	for {
		err := s.Scrape(ctx)
		if err != nil && !failing {
			s.logger.Warn("scrape router metrics", "error", err)
		}
		failing = err != nil
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Scrape reads the router's metrics once and records a point per app.
func (s *Sampler) Scrape(ctx context.Context) error {
	totals, err := s.fetch(ctx)
	if err != nil {
		return err
	}
	instances := s.countInstances(ctx, totals)
	s.record(s.now(), totals, instances)
	return nil
}

func (s *Sampler) fetch(ctx context.Context) (map[string]appTotals, error) {
	return s.fetchBy(ctx, byApp)
}

func (s *Sampler) fetchBy(ctx context.Context, key func(*dto.Metric) string) (map[string]appTotals, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.opts.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("router metrics url: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("router metrics: %s", resp.Status)
	}
	return parseBy(io.LimitReader(resp.Body, maxBody), key)
}

func (s *Sampler) countInstances(ctx context.Context, totals map[string]appTotals) map[string]int {
	out := map[string]int{}
	for app := range totals {
		out[app] = -1
		if s.opts.Instances == nil {
			continue
		}
		if n, err := s.opts.Instances(ctx, app); err == nil {
			out[app] = n
		}
	}
	return out
}

// record turns the difference from the previous scrape into a point per
// app. Apps gone from the router lose their history.
func (s *Sampler) record(now time.Time, totals map[string]appTotals, instances map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	secs := now.Sub(s.lastAt).Seconds()
	for app, cur := range totals {
		prev, ok := s.last[app]
		if !ok || secs <= 0 {
			continue
		}
		p := cur.since(prev).point(secs)
		p.Time, p.InFlight, p.Instances = now, cur.inFlight, instances[app]
		s.append(app, p)
	}
	for app := range s.rings {
		if _, ok := totals[app]; !ok {
			delete(s.rings, app)
		}
	}
	s.last, s.lastAt = totals, now
}

func (s *Sampler) append(app string, p Point) {
	r, ok := s.rings[app]
	if !ok && len(s.rings) >= maxApps {
		return
	}
	r = append(r, p)
	if len(r) > s.opts.Keep {
		r = r[len(r)-s.opts.Keep:]
	}
	s.rings[app] = r
}

// Points returns app's points, oldest first.
func (s *Sampler) Points(app string) []Point {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Point(nil), s.rings[app]...)
}

// Apps lists the apps with points, sorted.
func (s *Sampler) Apps() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.rings))
	for app := range s.rings {
		out = append(out, app)
	}
	sort.Strings(out)
	return out
}

// Totals are one release's counters at one scrape: what a canary's
// analysis compares. They only grow; Since gives an interval's share.
type Totals struct{ t appTotals }

// ReleaseTotals reads the router's counters of every release of app now.
func (s *Sampler) ReleaseTotals(ctx context.Context, app string) (map[int]Totals, error) {
	all, err := s.fetchBy(ctx, byRelease)
	if err != nil {
		return nil, err
	}
	out := map[int]Totals{}
	for key, t := range all {
		a, rel, _ := strings.Cut(key, "/")
		v, err := strconv.Atoi(rel)
		if a == app && err == nil {
			out[v] = Totals{t}
		}
	}
	return out, nil
}

// Since is what happened between prev and t.
func (t Totals) Since(prev Totals) Totals {
	if prev.t.buckets == nil {
		return t
	}
	return Totals{t.t.since(prev.t)}
}

// Requests is how many requests were answered.
func (t Totals) Requests() int { return int(t.t.requests) }

// ErrorRate is the share of requests answered with a 5xx status.
func (t Totals) ErrorRate() float64 {
	if t.t.requests == 0 {
		return 0
	}
	return t.t.errors / t.t.requests
}

// P95 estimates the 95th percentile of the latencies.
func (t Totals) P95() time.Duration { return t.t.quantile(0.95) }
