package scheduler

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/nomad/api"
)

// Retire stops every job of app except those of the releases in keep,
// waits for their instances to finish, and purges the jobs.
//
// Stopped instances leave the service catalogue at once, keep serving for
// ShutdownDelay so that the router can drop them, and are then sent
// SIGTERM and, KillTimeout later, SIGKILL. Retire returns once all are
// gone, or earlier when ctx ends or they take longer than that: the jobs
// are then stopped but not purged, Releases ignores them, and the next
// Retire or Destroy of the app purges them.
func (s *Scheduler) Retire(ctx context.Context, app string, keep ...int) error {
	return s.removeApp(ctx, app, func(release int) bool { return !slices.Contains(keep, release) })
}

// Destroy stops and purges every job of app, as Retire does, kills the
// app's one-off processes and forgets its route.
func (s *Scheduler) Destroy(ctx context.Context, app string) error {
	if err := s.removeApp(ctx, app, func(int) bool { return true }); err != nil {
		return err
	}
	if err := s.DeleteRoute(ctx, app); err != nil {
		return err
	}
	q := query(ctx)
	q.Prefix = runPrefix(app)
	stubs, _, err := s.client.Jobs().List(q)
	if err != nil {
		return fmt.Errorf("list one-off jobs of %s: %w", app, nomadError(err))
	}
	var runs []appJob
	for _, st := range stubs {
		if isRunJob(app, st.ID) {
			if err := s.stop(ctx, st.ID); err != nil {
				return err
			}
			runs = append(runs, appJob{id: st.ID})
		}
	}
	s.purgeWhenDrained(ctx, app, runs)
	return nil
}

func (s *Scheduler) removeApp(ctx context.Context, app string, remove func(release int) bool) error {
	jobs, err := s.appJobs(ctx, app)
	if err != nil {
		return err
	}
	var stopped []appJob
	for _, j := range jobs {
		if !remove(j.release) {
			continue
		}
		log := s.log.With("app", app, "release", j.release, "job", j.id)
		if !j.stopped {
			if err := s.stop(ctx, j.id); err != nil {
				return err
			}
			log.Info("job stopped")
		}
		stopped = append(stopped, j)
	}
	s.purgeWhenDrained(ctx, app, stopped)
	return nil
}

// purgeWhenDrained purges stopped jobs once none of their allocations
// runs. Purging earlier would cut short the shutdown delay, and Nomad then
// keeps their service registrations for seconds after the instances died.
func (s *Scheduler) purgeWhenDrained(ctx context.Context, app string, jobs []appJob) {
	ctx, cancel := context.WithTimeout(ctx, s.drainTimeout())
	defer cancel()
	for _, j := range jobs {
		log := s.log.With("app", app, "release", j.release, "job", j.id)
		if err := s.waitDrained(ctx, j.id); err != nil {
			log.Warn("job not drained; purge deferred", "error", err)
			continue
		}
		if err := s.purge(ctx, j.id); err != nil {
			log.Warn("purge job", "error", err)
			continue
		}
		log.Info("job purged")
	}
}

// drainTimeout is how long stopping instances may take: the shutdown
// delay, the kill timeout and a margin for a busy node.
func (s *Scheduler) drainTimeout() time.Duration {
	return s.opts.ShutdownDelay + s.opts.KillTimeout + 5*time.Second
}

// stop deregisters a job without purging it, so that Nomad stops its
// allocations in order: out of the catalogue, shutdown delay, kill.
func (s *Scheduler) stop(ctx context.Context, id string) error {
	if _, _, err := s.client.Jobs().Deregister(id, false, write(ctx)); err != nil && !isNotFound(err) {
		return fmt.Errorf("stop job %s: %w", id, nomadError(err))
	}
	return nil
}

// purge removes a job and its allocations from Nomad's state.
func (s *Scheduler) purge(ctx context.Context, id string) error {
	if _, _, err := s.client.Jobs().Deregister(id, true, write(ctx)); err != nil && !isNotFound(err) {
		return fmt.Errorf("purge job %s: %w", id, nomadError(err))
	}
	return nil
}

// waitDrained waits until no allocation of job id is running on a client.
func (s *Scheduler) waitDrained(ctx context.Context, id string) error {
	var index uint64
	for {
		allocs, qm, err := s.client.Jobs().Allocations(id, true, blocking(ctx, index, blockingWait))
		switch {
		case err != nil && isNotFound(err):
			return nil
		case err != nil:
			return nomadError(err)
		case drained(allocs):
			return nil
		}
		index = nextIndex(qm.LastIndex)
	}
}

func drained(allocs []*api.AllocationListStub) bool {
	for _, a := range allocs {
		switch a.ClientStatus {
		case api.AllocClientStatusComplete, api.AllocClientStatusFailed, api.AllocClientStatusLost:
		default:
			return false
		}
	}
	return true
}
