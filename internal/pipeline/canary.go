package pipeline

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/metricsample"
)

// TrafficStats reads the router's counters of each release of an app, for
// the canary's analysis.
type TrafficStats interface {
	ReleaseTotals(ctx context.Context, app string) (map[int]metricsample.Totals, error)
}

// SetTrafficStats sets where canaries read their traffic. Without it a
// canary progresses on time alone, and says so.
func (p *Pipeline) SetTrafficStats(s TrafficStats) { p.stats = s }

// canary is a canary in progress. Its goroutine, runCanary, owns it; the
// fields under the pipeline's mu are what others read.
type canary struct {
	app            string
	stable, canary int
	steps          []int
	interval       time.Duration
	started        time.Time

	// Guarded by Pipeline.mu.
	step     int
	nextAt   time.Time
	analysis []string

	commands chan canaryCommand // promote or abort by hand
	stop     chan struct{}      // closed when the canary ended otherwise
}

type canaryCommand struct {
	promote bool
	by      string
	done    chan error
}

// startCanary gives release r the first step's share of app's clients, with
// stable keeping the rest, and starts the canary's analysis.
func (p *Pipeline) startCanary(ctx context.Context, r *paas.Release, stable int, out io.Writer) error {
	policy := r.Spec.Canary
	steps := slices.Clone(policy.Steps)
	if len(steps) == 0 || steps[len(steps)-1] != 100 {
		steps = append(steps, 100)
	}
	rt, err := p.scheduler.Route(ctx, r.App)
	if err != nil {
		return err
	}
	rt.App, rt.Release, rt.Canary, rt.CanaryWeight = r.App, stable, r.Version, steps[0]
	if err := p.scheduler.SetRoute(ctx, rt); err != nil {
		return userError(err, fmt.Sprintf("starting the canary of v%d", r.Version))
	}
	c := &canary{
		app: r.App, stable: stable, canary: r.Version, steps: steps, interval: policy.Interval,
		started: time.Now(), nextAt: time.Now().Add(policy.Interval),
		commands: make(chan canaryCommand), stop: make(chan struct{}),
	}
	p.mu.Lock()
	p.canaries[r.App] = c
	p.mu.Unlock()
	fmt.Fprintf(out, "-----> Canary: v%d takes %d%% of clients, v%d the rest\n", r.Version, steps[0], stable)
	fmt.Fprintf(out, "       Steps %v every %s; it rolls back on its own when it does worse than v%d.\n", steps, policy.Interval, stable)
	fmt.Fprintf(out, "       Follow it with: paas canary -a %s\n", r.App)
	p.logger.Info("canary started", "app", r.App, "release", r.Version, "stable", stable, "steps", steps, "interval", policy.Interval.String())
	go p.runCanary(c)
	return nil
}

// runCanary moves c through its steps: at the end of each it compares the
// canary's traffic with the stable release's, aborts when the canary does
// worse and otherwise gives it the next step's share, until it promotes it.
func (p *Pipeline) runCanary(c *canary) {
	ctx := context.Background()
	base := p.readTraffic(ctx, c)
	for step := 0; ; step++ {
		timer := time.NewTimer(c.interval)
		select {
		case <-c.stop:
			timer.Stop()
			return
		case cmd := <-c.commands:
			timer.Stop()
			if cmd.promote {
				cmd.done <- p.endCanary(ctx, c, true, "promoted by "+cmd.by)
			} else {
				cmd.done <- p.endCanary(ctx, c, false, "aborted by "+cmd.by)
			}
			return
		case <-timer.C:
		}
		now := p.readTraffic(ctx, c)
		ok, why := p.analyse(c, base, now)
		p.note(c, fmt.Sprintf("step %d (%d%%): %s", step+1, c.steps[step], why))
		if !ok {
			p.endCanary(ctx, c, false, why)
			return
		}
		if step+1 >= len(c.steps) || c.steps[step+1] >= 100 {
			p.endCanary(ctx, c, true, "every step passed")
			return
		}
		if !p.setCanaryWeight(ctx, c, step+1) {
			return
		}
		base = now
	}
}

// readTraffic reads the router's counters for c's app, or nil when there
// is no source or it cannot be read.
func (p *Pipeline) readTraffic(ctx context.Context, c *canary) map[int]metricsample.Totals {
	if p.stats == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	t, err := p.stats.ReleaseTotals(ctx, c.app)
	if err != nil {
		p.logger.Warn("read canary traffic", "app", c.app, "error", err)
		return nil
	}
	return t
}

// analyse judges the step between base and now.
func (p *Pipeline) analyse(c *canary, base, now map[int]metricsample.Totals) (bool, string) {
	if now == nil {
		return true, "no router metrics to judge by; going on"
	}
	sample := func(v int) traffic {
		t := now[v].Since(base[v])
		return traffic{Requests: t.Requests(), ErrorRate: t.ErrorRate(), P95: t.P95()}
	}
	return judge(sample(c.stable), sample(c.canary))
}

func (p *Pipeline) note(c *canary, line string) {
	p.mu.Lock()
	c.analysis = append(c.analysis, line)
	p.mu.Unlock()
	p.logger.Info("canary analysis", "app", c.app, "release", c.canary, "verdict", line)
}

// setCanaryWeight gives the canary the share of step, unless the canary
// ended meanwhile. It reports whether the canary goes on.
func (p *Pipeline) setCanaryWeight(ctx context.Context, c *canary, step int) bool {
	unlock := p.lockApp(c.app)
	defer unlock()
	if !p.isCurrentCanary(c) {
		return false
	}
	rt, err := p.scheduler.Route(ctx, c.app)
	if err == nil {
		rt.CanaryWeight = c.steps[step]
		err = p.scheduler.SetRoute(ctx, rt)
	}
	if err != nil {
		// The route could not move: the canary keeps its share and the
		// next analysis tries again from there.
		p.logger.Warn("canary step", "app", c.app, "release", c.canary, "error", err)
		return true
	}
	p.mu.Lock()
	c.step, c.nextAt = step, time.Now().Add(c.interval)
	p.mu.Unlock()
	return true
}

func (p *Pipeline) isCurrentCanary(c *canary) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.canaries[c.app] == c
}

// endCanary promotes the canary (all traffic, current release, the stable
// one warm) or aborts it (all traffic back to stable, the canary failed and
// retired), under the app's lock.
func (p *Pipeline) endCanary(ctx context.Context, c *canary, promote bool, why string) error {
	unlock := p.lockApp(c.app)
	defer unlock()
	if !p.isCurrentCanary(c) {
		return paas.Errorf(paas.ECONFLICT, "the canary of v%d already ended", c.canary)
	}
	if promote {
		return p.promoteLocked(ctx, c, why)
	}
	return p.abortLocked(ctx, c, why)
}

func (p *Pipeline) promoteLocked(ctx context.Context, c *canary, why string) error {
	if err := p.switchTraffic(ctx, c.app, c.canary, c.stable); err != nil {
		p.logger.Warn("promote canary", "app", c.app, "release", c.canary, "error", err)
		return err
	}
	p.forgetCanary(c)
	if err := p.store.MarkReleaseCurrent(ctx, c.app, c.canary); err != nil {
		p.logger.Error("record promoted canary", "app", c.app, "release", c.canary, "error", err)
		return err
	}
	p.note(c, "promoted: "+why)
	if r, err := p.store.GetRelease(ctx, c.app, c.canary); err == nil {
		p.notify(ctx, c.app, paas.EventReleaseSucceeded, releaseEvent{Version: r.Version, Reason: r.Reason, Description: r.Description, By: r.CreatedBy})
	}
	go p.retireIdle(c.app)
	return nil
}

func (p *Pipeline) abortLocked(ctx context.Context, c *canary, why string) error {
	rt, err := p.scheduler.Route(ctx, c.app)
	if err == nil {
		rt.Release, rt.Canary, rt.CanaryWeight = c.stable, 0, 0
		err = p.scheduler.SetRoute(ctx, rt)
	}
	if err != nil {
		p.logger.Error("abort canary", "app", c.app, "release", c.canary, "error", err)
		return err
	}
	p.forgetCanary(c)
	p.note(c, "rolled back: "+why)
	if r, err := p.store.GetRelease(ctx, c.app, c.canary); err == nil {
		p.failRelease(r, paas.Errorf(paas.EINVALID, "canary rolled back: %s; v%d serves", why, c.stable))
	}
	go p.retireIdle(c.app)
	return nil
}

// forgetCanary ends c's goroutine and its entry.
func (p *Pipeline) forgetCanary(c *canary) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.canaries[c.app] == c {
		delete(p.canaries, c.app)
		close(c.stop)
	}
}

// abortCanaryLocked aborts app's canary, if any, for a caller that holds
// the app's lock.
func (p *Pipeline) abortCanaryLocked(app, why string) {
	p.mu.Lock()
	c := p.canaries[app]
	p.mu.Unlock()
	if c == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p.abortLocked(ctx, c, why)
}

// Canary returns the state of app's canary.
func (p *Pipeline) Canary(ctx context.Context, app string) (*paas.CanaryStatus, error) {
	c, err := p.canaryOf(ctx, app)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return &paas.CanaryStatus{
		App: app, Stable: c.stable, Canary: c.canary, Weight: c.steps[c.step], Steps: slices.Clone(c.steps), Step: c.step,
		StartedAt: c.started, NextAt: c.nextAt, Analysis: slices.Clone(c.analysis),
	}, nil
}

// canaryOf returns app's canary in progress, or ENOTFOUND.
func (p *Pipeline) canaryOf(ctx context.Context, app string) (*canary, error) {
	if _, err := p.store.GetApp(ctx, app); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.canaries[app]
	if c == nil {
		return nil, paas.Errorf(paas.ENOTFOUND, "app %s has no canary in progress; set deploy.strategy: canary in app.yml and push", app)
	}
	return c, nil
}

// PromoteCanary gives app's canary all the traffic now, and AbortCanary
// sends it all back to the stable release.
func (p *Pipeline) PromoteCanary(ctx context.Context, app string, user *paas.User) error {
	return p.commandCanary(ctx, app, canaryCommand{promote: true, by: user.Name})
}

// AbortCanary sends all of app's traffic back to the stable release and
// fails the canary.
func (p *Pipeline) AbortCanary(ctx context.Context, app string, user *paas.User) error {
	return p.commandCanary(ctx, app, canaryCommand{by: user.Name})
}

func (p *Pipeline) commandCanary(ctx context.Context, app string, cmd canaryCommand) error {
	c, err := p.canaryOf(ctx, app)
	if err != nil {
		return err
	}
	cmd.done = make(chan error, 1)
	select {
	case c.commands <- cmd:
	case <-c.stop:
		return paas.Errorf(paas.ECONFLICT, "the canary of v%d ended meanwhile; see paas releases -a %s", c.canary, app)
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-cmd.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
