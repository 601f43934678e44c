package scheduler

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// metaRepair changes on every repair that must replace instances, so the
// re-registered job is a new version and Nomad places fresh allocations.
const metaRepair = "paas.repair"

// Ensure makes the job of release d.Release of d.App match d: it
// re-registers a job that is missing, stopped or scaled behind the
// platform's back, and replaces instances that crashed for good (the
// restart policy gave up and rescheduling is off). It returns what it
// repaired, or "" when the job already matched.
func (s *Scheduler) Ensure(ctx context.Context, d paas.Deployment) (string, error) {
	if err := validateDeployment(d); err != nil {
		return "", err
	}
	id := JobID(d.App, d.Release)
	job, _, err := s.client.Jobs().Info(id, query(ctx))
	switch {
	case err != nil && isNotFound(err):
		return s.reregister(ctx, d, nil, fmt.Sprintf("job %s of v%d was missing; registered it again", id, d.Release), false)
	case err != nil:
		return "", fmt.Errorf("read job %s: %w", id, nomadError(err))
	case job.Stop != nil && *job.Stop:
		return s.reregister(ctx, d, job, fmt.Sprintf("job %s of v%d was stopped outside the platform; started it again", id, d.Release), false)
	}
	if drift := countDrift(d, job); drift != "" {
		return s.reregister(ctx, d, job, drift, false)
	}
	crashed, err := s.crashed(ctx, id, d)
	if err != nil || crashed == "" {
		return "", err
	}
	return s.reregister(ctx, d, job, crashed+"; replaced them", true)
}

// countDrift describes process types whose count differs from d.
func countDrift(d paas.Deployment, job *api.Job) string {
	want := map[string]int{}
	for _, p := range d.Processes {
		if p.Count > 0 {
			want[p.Type] = p.Count
		}
	}
	var drift []string
	for _, tg := range job.TaskGroups {
		got := 0
		if tg.Count != nil {
			got = *tg.Count
		}
		if name := deref(tg.Name); got != want[name] {
			drift = append(drift, fmt.Sprintf("%s was scaled to %d outside the platform; restored %d", name, got, want[name]))
		}
		delete(want, deref(tg.Name))
	}
	for name, n := range want {
		drift = append(drift, fmt.Sprintf("%s was missing from the job; restored %d", name, n))
	}
	return strings.Join(drift, "; ")
}

// crashed describes process types with fewer live instances than wanted
// because some failed for good.
func (s *Scheduler) crashed(ctx context.Context, id string, d paas.Deployment) (string, error) {
	allocs, _, err := s.client.Jobs().Allocations(id, false, query(ctx))
	if err != nil {
		return "", fmt.Errorf("list allocations of %s: %w", id, nomadError(err))
	}
	live, failed := map[string]int{}, map[string]int{}
	for _, a := range allocs {
		switch {
		case a.DesiredStatus != api.AllocDesiredStatusRun:
		case a.ClientStatus == api.AllocClientStatusFailed || a.ClientStatus == api.AllocClientStatusLost:
			failed[a.TaskGroup]++
		default:
			live[a.TaskGroup]++
		}
	}
	var out []string
	for _, p := range d.Processes {
		if p.Count > 0 && live[p.Type] < p.Count && failed[p.Type] > 0 {
			out = append(out, fmt.Sprintf("%d %s instance(s) had crashed or were lost", failed[p.Type], p.Type))
		}
	}
	return strings.Join(out, "; "), nil
}

// reregister submits d's job again, which restores its counts. With
// replace it is a new version of the job, so Nomad also places fresh
// instances for those that failed for good.
func (s *Scheduler) reregister(ctx context.Context, d paas.Deployment, old *api.Job, what string, replace bool) (string, error) {
	job := renderJob(d, s.opts)
	switch {
	case replace:
		job.Meta[metaRepair] = strconv.FormatInt(time.Now().UnixNano(), 10)
	case old != nil && old.Meta[metaRepair] != "":
		// Keep the mark of an earlier repair: dropping it would make this a
		// new version and replace every healthy instance.
		job.Meta[metaRepair] = old.Meta[metaRepair]
	}
	if _, _, err := s.client.Jobs().Register(job, write(ctx)); err != nil {
		return "", fmt.Errorf("re-register %s: %w", deref(job.ID), nomadError(err))
	}
	s.log.Warn("drift repaired", "app", d.App, "release", d.Release, "job", deref(job.ID), "drift", what)
	return what, nil
}

// WatchJobs calls fn each time Nomad reports a change to the platform's
// jobs or their allocations, until ctx ends. It waits with blocking
// queries; while Nomad does not answer it backs off and retries.
func (s *Scheduler) WatchJobs(ctx context.Context, fn func()) error {
	var index uint64
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		// Allocation IDs are UUIDs, so no prefix narrows this to the
		// platform's jobs; on a platform's node nearly all are ours anyway.
		_, qm, err := s.client.Allocations().List(blocking(ctx, index, blockingWait))
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			backoff = min(max(2*backoff, watchBackoffMin), watchBackoffMax)
			sleep(ctx, backoff)
			index = 0
			continue
		}
		backoff = 0
		if index != 0 && qm.LastIndex != index {
			fn()
		}
		index = nextIndex(qm.LastIndex)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
