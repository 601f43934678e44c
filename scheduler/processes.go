package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// The states of a ProcessState.
const (
	StateStarting   = "starting"
	StateRunning    = "running"
	StateRestarting = "restarting"
	StateCrashed    = "crashed"
	StateStopping   = "stopping"
	StateStopped    = "stopped"
)

// Processes lists the instances of app's releases whose jobs are not
// stopped: running, starting, and those that crashed for good. A web
// instance is healthy when its health check passes now; any other when it
// runs.
func (s *Scheduler) Processes(ctx context.Context, app string) ([]paas.ProcessState, error) {
	jobs, err := s.appJobs(ctx, app)
	if err != nil {
		return nil, err
	}
	var out []paas.ProcessState
	for _, j := range jobs {
		if j.stopped {
			continue
		}
		allocs, _, err := s.client.Jobs().Allocations(j.id, false, query(ctx))
		if err != nil {
			return nil, fmt.Errorf("list allocations of %s: %w", j.id, nomadError(err))
		}
		for _, a := range allocs {
			if a.DesiredStatus != api.AllocDesiredStatusRun {
				continue
			}
			out = append(out, s.processState(ctx, a, j.release))
		}
	}
	slices.SortFunc(out, func(a, b paas.ProcessState) int {
		return cmp.Or(cmp.Compare(a.Release, b.Release), strings.Compare(a.Type, b.Type), compareNames(a.Name, b.Name))
	})
	return out, nil
}

// processState describes one allocation.
func (s *Scheduler) processState(ctx context.Context, a *api.AllocationListStub, release int) paas.ProcessState {
	ps := paas.ProcessState{
		Name: instanceName(a.Name), Type: a.TaskGroup, Release: release, AllocID: a.ID,
		State: stateOf(a), Since: time.Unix(0, a.CreateTime),
	}
	if ts := a.TaskStates[a.TaskGroup]; ts != nil {
		ps.Since = latest(ps.Since, ts.StartedAt, ts.FinishedAt, ts.LastRestart)
	}
	if ps.State == StateRunning {
		ps.Healthy = a.TaskGroup != WebProcess || s.checksPass(ctx, a.ID)
	}
	return ps
}

// stateOf names what an allocation's task is doing.
func stateOf(a *api.AllocationListStub) string {
	ts := a.TaskStates[a.TaskGroup]
	switch a.ClientStatus {
	case api.AllocClientStatusPending:
		return StateStarting
	case api.AllocClientStatusFailed, api.AllocClientStatusLost:
		return StateCrashed
	case api.AllocClientStatusComplete:
		return StateStopped
	}
	switch {
	case a.DesiredStatus != api.AllocDesiredStatusRun:
		return StateStopping
	case ts != nil && ts.State == "pending" && ts.Restarts > 0:
		return StateRestarting
	case ts != nil && ts.State == "running":
		return StateRunning
	}
	return StateStarting
}

// checksPass reports whether every health check of an allocation passes.
func (s *Scheduler) checksPass(ctx context.Context, allocID string) bool {
	checks, err := s.client.Allocations().Checks(allocID, query(ctx))
	if err != nil || len(checks) == 0 {
		return false
	}
	for _, c := range checks {
		if c.Status != "success" {
			return false
		}
	}
	return true
}

// Restart replaces the running instances of release of app, of one
// process type or, when process is "", of all, one at a time: it stops an
// instance (which leaves the catalogue, drains for ShutdownDelay and gets
// SIGTERM), waits until Nomad's replacement is healthy, then moves on.
func (s *Scheduler) Restart(ctx context.Context, app string, release int, process string) error {
	if err := paas.ValidateAppName(app); err != nil {
		return err
	}
	id := JobID(app, release)
	allocs, _, err := s.client.Jobs().Allocations(id, false, query(ctx))
	if err != nil && isNotFound(err) {
		return paas.Errorf(paas.ENOTFOUND, "release v%d of %s is not running", release, app)
	} else if err != nil {
		return fmt.Errorf("list allocations of %s: %w", id, nomadError(err))
	}
	allocs = slices.DeleteFunc(allocs, func(a *api.AllocationListStub) bool {
		return a.DesiredStatus != api.AllocDesiredStatusRun || process != "" && a.TaskGroup != process
	})
	if len(allocs) == 0 {
		return paas.Errorf(paas.ENOTFOUND, "release v%d of %s has no %sinstances to restart", release, app, strings.TrimPrefix(process+" ", " "))
	}
	slices.SortFunc(allocs, func(a, b *api.AllocationListStub) int {
		return compareNames(instanceName(a.Name), instanceName(b.Name))
	})
	for _, a := range allocs {
		if err := s.replace(ctx, id, a); err != nil {
			return err
		}
		s.log.Info("instance replaced", "app", app, "release", release, "job", id, "alloc", a.ID)
	}
	return nil
}

// replace stops allocation old of job id and waits until its replacement
// runs and, for web, passes its health check.
func (s *Scheduler) replace(ctx context.Context, id string, old *api.AllocationListStub) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.HealthyDeadline+s.opts.ShutdownDelay)
	defer cancel()
	full, _, err := s.client.Allocations().Info(old.ID, query(ctx))
	if err != nil {
		return fmt.Errorf("look up allocation %s: %w", old.ID, nomadError(err))
	}
	resp, err := s.client.Allocations().Stop(full, query(ctx))
	if err != nil {
		return fmt.Errorf("stop allocation %s: %w", old.ID, nomadError(err))
	}
	// The replacement is made by the evaluation of the stop, so it is
	// newer than the stop's index.
	index := resp.LastIndex
	for {
		allocs, qm, err := s.client.Jobs().Allocations(id, false, blocking(ctx, index, time.Second))
		if err != nil {
			return s.replaceFailed(old, nomadError(err))
		}
		index = nextIndex(qm.LastIndex)
		for _, a := range allocs {
			if a.TaskGroup != old.TaskGroup || a.CreateIndex <= resp.LastIndex || a.DesiredStatus != api.AllocDesiredStatusRun {
				continue
			}
			if a.ClientStatus == api.AllocClientStatusFailed {
				return s.replaceFailed(old, fmt.Errorf("replacement %s failed", a.ID))
			}
			if stateOf(a) == StateRunning && (a.TaskGroup != WebProcess || s.checksPass(ctx, a.ID)) {
				return nil
			}
		}
	}
}

func (s *Scheduler) replaceFailed(old *api.AllocationListStub, err error) error {
	return fmt.Errorf("%w: %w", paas.Errorf(paas.EUNAVAILABLE, "%s did not come back healthy after its restart; see paas ps", instanceName(old.Name)), err)
}

// compareNames orders "web.2" before "web.10".
func compareNames(a, b string) int {
	at, an, _ := strings.Cut(a, ".")
	bt, bn, _ := strings.Cut(b, ".")
	return cmp.Or(strings.Compare(at, bt), cmp.Compare(len(an), len(bn)), strings.Compare(an, bn))
}

// latest returns the latest of times.
func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}
