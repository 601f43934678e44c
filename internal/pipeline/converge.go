package pipeline

import (
	"context"
	"time"

	"github.com/gitpaas/paas"
)

// DefaultConvergeInterval is how often the reconciler compares every app's
// desired state with Nomad even when no event says anything changed.
const DefaultConvergeInterval = 30 * time.Second

// Converger is the part of the scheduler that repairs drift.
type Converger interface {
	// Ensure makes the running job of d match d, re-registering it when it
	// was stopped, scaled or lost behind the platform's back. It returns
	// what it repaired, "" when nothing was wrong.
	Ensure(ctx context.Context, d paas.Deployment) (string, error)
	// WatchJobs calls fn whenever Nomad reports a change to any job.
	WatchJobs(ctx context.Context, fn func()) error
}

// Events records what happened to apps.
type Events interface {
	AddEvent(ctx context.Context, app string, e paas.Event) error
}

// Reconciler keeps Nomad converged to each app's current release: the
// desired state is the formation of the current release.
type Reconciler struct {
	p        *Pipeline
	conv     Converger
	events   Events
	interval time.Duration
}

// NewReconciler returns a Reconciler for p's apps.
func NewReconciler(p *Pipeline, conv Converger, events Events, interval time.Duration) *Reconciler {
	if interval <= 0 {
		interval = DefaultConvergeInterval
	}
	return &Reconciler{p: p, conv: conv, events: events, interval: interval}
}

// Run converges at every interval and soon after Nomad reports a job
// change, until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	kick := make(chan struct{}, 1)
	go r.conv.WatchJobs(ctx, func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	})
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
			// Let a burst of events settle into one pass.
			time.Sleep(time.Second)
		}
		if err := r.ConvergeAll(ctx); err != nil && ctx.Err() == nil {
			r.p.logger.Warn("converge", "error", err)
		}
	}
}

// ConvergeAll converges every app once.
func (r *Reconciler) ConvergeAll(ctx context.Context) error {
	apps, err := r.p.store.ListApps(ctx)
	if err != nil {
		return err
	}
	for _, a := range apps {
		if a.Release == 0 {
			continue
		}
		if err := r.converge(ctx, a.Name); err != nil {
			r.p.logger.Warn("converge app", "app", a.Name, "error", err)
		}
	}
	return nil
}

// converge repairs one app under its lock, so it never races a rollout
// that is about to change which release is current.
func (r *Reconciler) converge(ctx context.Context, app string) error {
	unlock := r.p.lockApp(app)
	defer unlock()
	cur, err := r.p.currentRelease(ctx, app)
	if paas.ErrorCode(err) == paas.ENOTFOUND {
		return nil // destroyed, or never released, since the listing
	}
	if err != nil {
		return err
	}
	repaired, err := r.conv.Ensure(ctx, deploymentOf(cur))
	if err != nil || repaired == "" {
		return err
	}
	r.p.logger.Warn("drift repaired", "app", app, "release", cur.Version, "drift", repaired)
	r.p.notify(ctx, app, paas.EventDrift, map[string]string{"message": repaired})
	return r.events.AddEvent(ctx, app, paas.Event{Kind: paas.EventDrift, Message: repaired, CreatedBy: "reconciler"})
}
