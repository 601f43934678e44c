// Package autoscale scales the web process of apps on the traffic the
// router sees: requests in flight, request rate and p95 latency, read from
// the router's Prometheus metrics every second. A stable window makes
// ordinary decisions, a short panic window reacts to spikes, a cooldown
// keeps scaling down from flapping, and the policy's bounds always hold
// (decide.go). It acts through the pipeline, which scales the release's
// Nomad job in place and records the change with its reason. Apps that
// may scale to zero are woken by the router (Wake).
package autoscale

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/gitpaas/paas"
)

// Defaults for Options fields left zero.
const (
	DefaultMetricsURL    = "http://127.0.0.1:9101/metrics"
	DefaultInterval      = time.Second
	DefaultStableWindow  = 30 * time.Second
	DefaultPanicWindow   = 6 * time.Second
	DefaultCooldown      = time.Minute
	DefaultPolicyRefresh = 2 * time.Second
)

// webProcess is the one process type the router's metrics describe.
const webProcess = "web"

// Options configure an Autoscaler.
type Options struct {
	// MetricsURL is where the router serves its metrics.
	MetricsURL string
	// Interval is how often the metrics are read and decisions made.
	Interval time.Duration
	// StableWindow and PanicWindow are the spans of the two windows.
	StableWindow, PanicWindow time.Duration
	// Cooldown is how long after a change the count may not go down.
	Cooldown time.Duration
	// PolicyRefresh is how often policies are read again.
	PolicyRefresh time.Duration
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.MetricsURL == "" {
		o.MetricsURL = DefaultMetricsURL
	}
	def(&o.Interval, DefaultInterval)
	def(&o.StableWindow, DefaultStableWindow)
	def(&o.PanicWindow, DefaultPanicWindow)
	def(&o.Cooldown, DefaultCooldown)
	def(&o.PolicyRefresh, DefaultPolicyRefresh)
	return o
}

// Validate reports whether the options, with defaults, are usable.
func (o Options) Validate() error {
	o = o.withDefaults()
	u, err := url.Parse(o.MetricsURL)
	switch {
	case err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https":
		return errors.New("router metrics URL must be an http(s) URL such as " + DefaultMetricsURL)
	case o.PanicWindow >= o.StableWindow:
		return errors.New("the panic window must be shorter than the stable window")
	case o.Interval > o.PanicWindow:
		return errors.New("the interval must be at most the panic window")
	case o.Cooldown < 0:
		return errors.New("the cooldown must not be negative")
	}
	return nil
}

// Pipeline is what the autoscaler needs of the deploy pipeline.
type Pipeline interface {
	AutoscalePolicies(ctx context.Context, app string) ([]paas.AutoscalePolicy, *paas.Release, error)
	Autoscale(ctx context.Context, app, process string, count int, reason string) (bool, error)
}

// Apps lists the apps.
type Apps interface {
	ListApps(ctx context.Context) ([]*paas.App, error)
}

// Autoscaler decides and applies counts. Create one with New and run it
// with Run.
type Autoscaler struct {
	opts    Options
	p       Pipeline
	apps    Apps
	scraper *scraper
	log     *slog.Logger
	now     func() time.Time

	// blindSince is when scrapes of the router started failing (zero while
	// they work); blindLogged when that was last logged. Only Run's
	// goroutine touches them.
	blindSince, blindLogged time.Time

	mu     sync.Mutex
	runCtx context.Context      // Run's, which changes outlive
	states map[string]*appState // by app
	wake   chan string
}

// appState is what the autoscaler remembers of one app's web process.
type appState struct {
	history    history
	policy     *paas.AutoscalePolicy // nil: not autoscaled
	count      int
	lastChange time.Time
	lastActive time.Time
	wanted     time.Time // when a request last waited for an instance
	busy       bool      // a change is being applied
	last       Decision
	decidedAt  time.Time
}

// New returns an Autoscaler.
func New(opts Options, p Pipeline, apps Apps, logger *slog.Logger) (*Autoscaler, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Autoscaler{
		opts: opts, p: p, apps: apps, log: logger, now: time.Now,
		scraper: &scraper{url: opts.MetricsURL, client: &http.Client{Timeout: opts.Interval}},
		states:  map[string]*appState{},
		wake:    make(chan string, 16),
	}, nil
}

// Run reads policies and metrics and applies decisions until ctx ends.
func (a *Autoscaler) Run(ctx context.Context) {
	a.mu.Lock()
	a.runCtx = ctx
	a.mu.Unlock()
	tick := time.NewTicker(a.opts.Interval)
	defer tick.Stop()
	var refreshed time.Time
	for {
		if a.now().Sub(refreshed) >= a.opts.PolicyRefresh {
			if err := a.refresh(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("autoscale policies", "error", err)
			}
			refreshed = a.now()
		}
		a.pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case app := <-a.wake:
			if err := a.refreshApp(ctx, app); err != nil {
				a.log.Warn("autoscale policy", "app", app, "error", err)
			}
		}
	}
}

// pass scrapes the router once and decides for every autoscaled app.
func (a *Autoscaler) pass(ctx context.Context) {
	now := a.now()
	samples, err := a.scraper.scrape(ctx, now)
	if ctx.Err() == nil {
		a.noteScrape(now, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for app, st := range a.states {
		s := samples[app]
		if s == nil {
			s = &sample{at: now}
		}
		if err != nil {
			continue // no data is not "no traffic"
		}
		st.history.add(s)
		a.decide(ctx, app, st, now)
	}
}

// blindLogEvery spaces the warnings while the autoscaler cannot read the
// router's metrics.
const blindLogEvery = 30 * time.Second

// noteScrape logs when the autoscaler loses the router's metrics, every
// blindLogEvery while it stays blind, and when it sees them again: without
// them no app scales.
func (a *Autoscaler) noteScrape(now time.Time, err error) {
	switch {
	case err != nil && (a.blindSince.IsZero() || now.Sub(a.blindLogged) >= blindLogEvery):
		if a.blindSince.IsZero() {
			a.blindSince = now
		}
		a.blindLogged = now
		a.log.Warn("autoscaler cannot read the router's metrics; no app scales until it can",
			"url", a.opts.MetricsURL, "since", a.blindSince, "error", err)
	case err == nil && !a.blindSince.IsZero():
		a.log.Info("autoscaler reads the router's metrics again", "blind_for", now.Sub(a.blindSince).Round(time.Second).String())
		a.blindSince, a.blindLogged = time.Time{}, time.Time{}
	}
}

// decide makes one decision for app and applies it in the background;
// a.mu is held.
func (a *Autoscaler) decide(ctx context.Context, app string, st *appState, now time.Time) {
	if st.policy == nil || !st.policy.Enabled {
		return
	}
	in := Input{
		Policy: *st.policy, Current: st.count, Now: now,
		Stable:     st.history.signals(now, a.opts.StableWindow),
		Panic:      st.history.signals(now, a.opts.PanicWindow),
		LastChange: st.lastChange, Cooldown: a.opts.Cooldown,
		Wanted: now.Sub(st.wanted) < a.opts.PanicWindow,
	}
	if in.Panic.Requests > 0 || in.Panic.InFlight > 0 || in.Wanted {
		st.lastActive = now
	}
	in.LastActive = st.lastActive
	d := Decide(in)
	st.last, st.decidedAt = d, now
	if d.Count == st.count || st.busy {
		return
	}
	st.busy = true
	go a.apply(ctx, app, st, d)
}

// apply asks the pipeline for the decided count, outside a.mu since the
// pipeline may wait for the app's lock.
func (a *Autoscaler) apply(ctx context.Context, app string, st *appState, d Decision) {
	changed, err := a.p.Autoscale(ctx, app, webProcess, d.Count, d.Reason)
	a.mu.Lock()
	defer a.mu.Unlock()
	st.busy = false
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("autoscale", "app", app, "process", webProcess, "count", d.Count, "error", err)
		}
		return
	}
	if changed {
		st.count, st.lastChange = d.Count, a.now()
	}
}

// refresh reads the policies of every app.
func (a *Autoscaler) refresh(ctx context.Context) error {
	apps, err := a.apps.ListApps(ctx)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, ap := range apps {
		if ap.Release == 0 {
			continue
		}
		names[ap.Name] = true
		if err := a.refreshApp(ctx, ap.Name); err != nil {
			a.log.Warn("autoscale policy", "app", ap.Name, "error", err)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for name := range a.states {
		if !names[name] {
			delete(a.states, name)
		}
	}
	return nil
}

// refreshApp reads the web policy and count of app.
func (a *Autoscaler) refreshApp(ctx context.Context, app string) error {
	pols, cur, err := a.p.AutoscalePolicies(ctx, app)
	if paas.ErrorCode(err) == paas.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	var pol *paas.AutoscalePolicy
	if i := slices.IndexFunc(pols, func(p paas.AutoscalePolicy) bool { return p.Process == webProcess }); i >= 0 {
		pol = &pols[i]
	}
	count := 0
	if pr, ok := cur.Spec.Process(webProcess); ok {
		count = pr.Count
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.states[app]
	if st == nil {
		now := a.now()
		keep := a.opts.StableWindow + 2*a.opts.Interval
		st = &appState{history: history{keep: keep}, lastActive: now, lastChange: now}
		a.states[app] = st
	}
	if !st.busy {
		st.count = count
	}
	st.policy = pol
	return nil
}

// Wake is called when a request for app finds no instance. It reports
// whether app may be woken, that is, its web process may scale to zero;
// if so, one instance is on its way.
func (a *Autoscaler) Wake(ctx context.Context, app string) (bool, error) {
	if err := paas.ValidateAppName(app); err != nil {
		return false, nil
	}
	a.mu.Lock()
	st := a.states[app]
	known := st != nil && st.policy != nil
	a.mu.Unlock()
	if !known {
		// Not seen yet (paasd just started, or the policy is new).
		if err := a.refreshApp(ctx, app); err != nil {
			return false, err
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	st = a.states[app]
	if st == nil || st.policy == nil || !st.policy.ScaleToZero() {
		return false, nil
	}
	now := a.now()
	st.wanted, st.lastActive = now, now
	if st.count == 0 && a.runCtx != nil {
		a.decide(a.runCtx, app, st, now)
	}
	return true, nil
}

// Status returns the latest reasoning about app's web process, empty
// when the autoscaler has not decided yet.
func (a *Autoscaler) Status(app string) (reason string, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.states[app]
	if st == nil || st.decidedAt.IsZero() {
		return "", time.Time{}
	}
	r := st.last.Reason
	if st.busy {
		r += " (scaling to " + itoa(st.last.Count) + ")"
	}
	return r, st.decidedAt
}

// PolicySetter stores policies; the pipeline is one.
type PolicySetter interface {
	SetAutoscalePolicy(ctx context.Context, user *paas.User, pol paas.AutoscalePolicy) (paas.AutoscalePolicy, error)
}

// Policies returns the policies of app with the current count and the
// latest reasoning of each.
func (a *Autoscaler) Policies(ctx context.Context, app string) ([]paas.AutoscaleStatus, error) {
	pols, cur, err := a.p.AutoscalePolicies(ctx, app)
	if err != nil {
		return nil, err
	}
	out := make([]paas.AutoscaleStatus, 0, len(pols))
	for _, pol := range pols {
		st := paas.AutoscaleStatus{AutoscalePolicy: pol}
		if pr, ok := cur.Spec.Process(pol.Process); ok {
			st.Count = pr.Count
		}
		if pol.Process == webProcess && pol.Enabled {
			st.Reasoning, st.DecidedAt = a.Status(app)
		}
		out = append(out, st)
	}
	return out, nil
}

// SetPolicy stores pol through setter and applies it at once.
func (a *Autoscaler) SetPolicy(ctx context.Context, setter PolicySetter, user *paas.User, pol paas.AutoscalePolicy) (paas.AutoscalePolicy, error) {
	pol, err := setter.SetAutoscalePolicy(ctx, user, pol)
	if err != nil {
		return pol, err
	}
	select {
	case a.wake <- pol.App:
	default:
	}
	return pol, nil
}
