package pipeline

import (
	"context"
	"slices"
)

// Recover repairs what a crash of paasd left behind: builds and releases that
// were in flight are marked failed (which frees each app's build lock), and
// jobs of releases that never became current are stopped, so every app runs
// exactly its current release.
func (p *Pipeline) Recover(ctx context.Context) error {
	builds, releases, err := p.store.FailInterrupted(ctx, "interrupted: the platform restarted during this build; push again")
	if err != nil {
		return err
	}
	if builds+releases > 0 {
		p.logger.Warn("failed interrupted work", "builds", builds, "releases", releases)
	}
	return p.Reconcile(ctx)
}

// Reconcile stops scheduler jobs of releases that are not current.
func (p *Pipeline) Reconcile(ctx context.Context) error {
	apps, err := p.store.ListApps(ctx)
	if err != nil {
		return err
	}
	for _, app := range apps {
		if err := p.stopStrays(ctx, app.Name); err != nil {
			return err
		}
	}
	return nil
}

// stopStrays retires app's jobs other than its current release's, under the
// app's lock so that a rollout in flight is not mistaken for a stray.
func (p *Pipeline) stopStrays(ctx context.Context, name string) error {
	unlock := p.lockApp(name)
	defer unlock()
	app, err := p.store.GetApp(ctx, name)
	if err != nil {
		return err
	}
	running, err := p.scheduler.Releases(ctx, name)
	if err != nil {
		return err
	}
	// A canary did not survive the restart: its traffic goes back to the
	// stable release before its job stops.
	rt, err := p.scheduler.Route(ctx, name)
	if err != nil {
		return err
	}
	if rt.Canary != 0 {
		rt.Canary, rt.CanaryWeight = 0, 0
		if err := p.scheduler.SetRoute(ctx, rt); err != nil {
			return err
		}
	}
	keep := []int{app.Release, rt.Release}
	if !slices.ContainsFunc(running, func(v int) bool { return !slices.Contains(keep, v) }) {
		return nil
	}
	p.logger.Info("stopping stray releases", "app", name, "release", app.Release, "running", running)
	return p.scheduler.Retire(ctx, name, keep...)
}
