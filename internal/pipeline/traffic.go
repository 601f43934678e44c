package pipeline

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/gitpaas/paas"
)

// DefaultKeepWarm is how long a release that lost its traffic keeps
// running, ready to take it back.
const DefaultKeepWarm = 5 * time.Minute

// switchTraffic sends all of app's traffic to release v in one step (the
// routers follow within a blocking query's round trip), ending any canary
// and keeping maintenance as it was. The release that had the traffic
// stays warm for KeepWarm; current is the app's current release, which had
// it when the app had no route yet.
func (p *Pipeline) switchTraffic(ctx context.Context, app string, v, current int) error {
	rt, err := p.scheduler.Route(ctx, app)
	if err != nil {
		return err
	}
	prev := rt.Release
	if prev == 0 {
		prev = current
	}
	rt.App, rt.Release, rt.Canary, rt.CanaryWeight = app, v, 0, 0
	if err := p.scheduler.SetRoute(ctx, rt); err != nil {
		return err
	}
	if prev != 0 && prev != v {
		p.keepWarm(ctx, app, prev)
	}
	return nil
}

// keepWarm lets the web instances of release v of app run without traffic
// for KeepWarm, then retires the release unless it took traffic again. Its
// other processes stop at once: two releases' workers must not both take
// jobs from the same queue, and a rollback starts the workers it needs.
func (p *Pipeline) keepWarm(ctx context.Context, app string, v int) {
	p.stopNonWeb(ctx, app, v)
	until := time.Now().Add(p.opts.KeepWarm)
	p.mu.Lock()
	if p.warm[app] == nil {
		p.warm[app] = map[int]time.Time{}
	}
	p.warm[app][v] = until
	p.mu.Unlock()
	time.AfterFunc(p.opts.KeepWarm+time.Second, func() { p.retireIdle(app) })
}

// stopNonWeb scales every process of release v of app but web to zero.
func (p *Pipeline) stopNonWeb(ctx context.Context, app string, v int) {
	r, err := p.store.GetRelease(ctx, app, v)
	if err != nil {
		p.logger.Warn("stop the workers of a warm release", "app", app, "release", v, "error", err)
		return
	}
	d := deploymentOf(r)
	changed := false
	for i, proc := range d.Processes {
		if proc.Type != "web" && proc.Count != 0 {
			d.Processes[i].Count, changed = 0, true
		}
	}
	if !changed {
		return
	}
	if err := p.scheduler.Scale(ctx, d); err != nil && paas.ErrorCode(err) != paas.ENOTFOUND {
		p.logger.Warn("stop the workers of a warm release", "app", app, "release", v, "error", err)
	}
}

// warmReleases returns the releases of app still within their warm time,
// and forgets those past it.
func (p *Pipeline) warmReleases(app string) []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for v, until := range p.warm[app] {
		if time.Now().Before(until) {
			out = append(out, v)
		} else {
			delete(p.warm[app], v)
		}
	}
	if len(p.warm[app]) == 0 {
		delete(p.warm, app)
	}
	return out
}

// retireIdle stops the jobs of app's releases that neither serve (the
// current release, the route's releases) nor stay warm. It takes the app's
// lock, so that a release still starting is never mistaken for an idle one.
func (p *Pipeline) retireIdle(app string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	unlock := p.lockApp(app)
	defer unlock()
	keep, err := p.serving(ctx, app)
	if paas.ErrorCode(err) == paas.ENOTFOUND {
		return // destroyed meanwhile
	}
	if err != nil {
		p.logger.Warn("retire idle releases", "app", app, "error", err)
		return
	}
	if err := p.scheduler.Retire(ctx, app, keep...); err != nil {
		p.logger.Warn("retire idle releases", "app", app, "keep", keep, "error", err)
	}
}

// serving returns the releases of app whose jobs must keep running: the
// current one, those its route names, and the warm ones.
func (p *Pipeline) serving(ctx context.Context, app string) ([]int, error) {
	a, err := p.store.GetApp(ctx, app)
	if err != nil {
		return nil, err
	}
	rt, err := p.scheduler.Route(ctx, app)
	if err != nil {
		return nil, err
	}
	keep := append([]int{a.Release, rt.Release, rt.Canary}, p.warmReleases(app)...)
	slices.Sort(keep)
	return slices.DeleteFunc(slices.Compact(keep), func(v int) bool { return v == 0 }), nil
}

// rollBackTraffic moves app's traffic back to release v at once when v
// still runs (it is warm), and says so on out. It reports whether it did.
func (p *Pipeline) rollBackTraffic(ctx context.Context, app string, v, current int, out io.Writer) bool {
	running, err := p.scheduler.Releases(ctx, app)
	if err != nil || !slices.Contains(running, v) {
		return false
	}
	start := time.Now()
	if err := p.switchTraffic(ctx, app, v, current); err != nil {
		p.logger.Warn("move traffic back", "app", app, "release", v, "error", err)
		return false
	}
	fmt.Fprintf(out, "-----> Traffic is back on v%d, which was still running (%d ms)\n", v, time.Since(start).Milliseconds())
	p.logger.Info("traffic rolled back", "app", app, "release", v, "duration_ms", time.Since(start).Milliseconds())
	return true
}

// Maintenance reports whether app is in maintenance mode.
func (p *Pipeline) Maintenance(ctx context.Context, app string) (bool, error) {
	if _, err := p.store.GetApp(ctx, app); err != nil {
		return false, err
	}
	rt, err := p.scheduler.Route(ctx, app)
	return rt.Maintenance, err
}

// SetMaintenance puts app in maintenance mode or takes it out: while on,
// the router answers every request with a 503 maintenance page, and the
// app's instances keep running and being health checked.
func (p *Pipeline) SetMaintenance(ctx context.Context, app string, on bool, user *paas.User) error {
	unlock := p.lockApp(app)
	defer unlock()
	a, err := p.store.GetApp(ctx, app)
	if err != nil {
		return err
	}
	rt, err := p.scheduler.Route(ctx, app)
	if err != nil {
		return err
	}
	if rt.Release == 0 {
		rt.Release = a.Release
	}
	rt.App, rt.Maintenance = app, on
	if err := p.scheduler.SetRoute(ctx, rt); err != nil {
		return err
	}
	p.logger.Info("maintenance "+onOff(on), "app", app, "by", user.Name)
	return nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
