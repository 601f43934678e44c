package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// cleanupTimeout bounds the work done after a deploy failed: reading the
// failing task's logs and purging the job, possibly after ctx has ended.
const cleanupTimeout = 20 * time.Second

// Deploy submits the Nomad job of release d.Release of d.App and waits until
// its deployment is healthy, writing short progress lines to progress.
//
// When the release fails to start (no room to place it, a crash loop, a
// failing health check, a deadline, or ctx ending) Deploy stops and purges
// the job it submitted, leaves the jobs of other releases alone, and
// returns a paas.EINVALID error whose message says what went wrong,
// followed by the last lines of the failing task's output. A cancelled
// ctx gives a paas.EUNAVAILABLE error that wraps ctx's error.
//
// Deploy returns as soon as every instance is healthy; Nomad marks the
// deployment successful a moment later. Deploying a release whose job
// already runs re-submits the job and, on failure, leaves it in place.
func (s *Scheduler) Deploy(ctx context.Context, d paas.Deployment, progress io.Writer) error {
	if err := validateDeployment(d); err != nil {
		return err
	}
	if progress == nil {
		progress = io.Discard
	}
	job := renderJob(d, s.opts)
	id := *job.ID
	log := s.log.With("app", d.App, "release", d.Release, "job", id)
	existed, err := s.jobExists(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "Launching v%d: %s\n", d.Release, describeProcesses(d.Processes))
	start := time.Now()
	resp, _, err := s.client.Jobs().Register(job, write(ctx))
	if err != nil {
		return fmt.Errorf("register job %s: %w", id, nomadError(err))
	}
	log.Info("job registered", "eval", resp.EvalID, "env_vars", len(d.Env))
	r := &rollout{s: s, d: d, id: id, evalID: resp.EvalID, progress: progress, log: log, start: start, seen: map[string]allocSeen{}}
	if err = r.run(ctx); err != nil {
		log.Warn("deploy failed", "error", err)
		if !existed {
			s.removeFailed(ctx, d, log)
		}
		return err
	}
	took := time.Since(start)
	log.Info("deploy healthy", "duration_ms", took.Milliseconds())
	fmt.Fprintf(progress, "v%d is healthy (%.1fs)\n", d.Release, took.Seconds())
	return nil
}

// removeFailed stops and purges the job of a failed deploy, even when ctx
// has ended.
func (s *Scheduler) removeFailed(ctx context.Context, d paas.Deployment, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.drainTimeout())
	defer cancel()
	id := JobID(d.App, d.Release)
	if err := s.stop(ctx, id); err != nil {
		log.Error("stop failed job", "error", err)
		return
	}
	s.purgeWhenDrained(ctx, d.App, []appJob{{id: id, release: d.Release}})
}

// jobExists reports whether job id exists, so that a failed deploy of a
// release that was already running does not purge it.
func (s *Scheduler) jobExists(ctx context.Context, id string) (bool, error) {
	job, _, err := s.client.Jobs().Info(id, query(ctx))
	switch {
	case err != nil && isNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look up job %s: %w", id, nomadError(err))
	}
	return job.Stop == nil || !*job.Stop, nil
}

// rollout follows one deploy from its evaluation to a healthy or failed
// deployment.
type rollout struct {
	s        *Scheduler
	d        paas.Deployment
	id       string
	evalID   string
	progress io.Writer
	log      *slog.Logger

	start       time.Time // of the registration
	version     uint64    // of the job, as registered
	createIndex uint64
	seen        map[string]allocSeen // by alloc ID, for progress lines
}

// allocSeen is what the progress lines already said about an allocation.
type allocSeen struct {
	started  bool
	healthy  bool
	restarts uint64
}

// run waits for the deployment. Its deadline is the progress deadline plus
// a margin, so that Nomad's own verdict normally comes first.
func (r *rollout) run(ctx context.Context) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, r.s.opts.ProgressDeadline+10*time.Second)
	defer cancel()
	err := r.wait(ctx)
	var pe *paas.Error
	if err == nil || ctx.Err() == nil || errors.As(err, &pe) {
		return err
	}
	if parent.Err() != nil {
		return fmt.Errorf("%w: %w", paas.Errorf(paas.EUNAVAILABLE, "deploy of release v%d was cancelled", r.d.Release), parent.Err())
	}
	return r.stuck(deadlineReason(r.s.opts.ProgressDeadline), false)
}

// wait returns nil once the deployment is successful, or the reason why it
// cannot become so.
func (r *rollout) wait(ctx context.Context) error {
	job, _, err := r.s.client.Jobs().Info(r.id, query(ctx))
	if err != nil {
		return fmt.Errorf("look up job %s: %w", r.id, nomadError(err))
	}
	r.version, r.createIndex = *job.Version, *job.CreateIndex
	if err := r.placed(ctx); err != nil {
		return err
	}
	if total(r.d.Processes) == 0 {
		return nil // Nomad makes no deployment for nothing to run
	}
	return r.follow(ctx)
}

// placed waits for the evaluation of the registration and fails when the
// scheduler found no room for some instances; Nomad itself would keep the
// deployment waiting for room until the progress deadline.
func (r *rollout) placed(ctx context.Context) error {
	why, err := r.s.placementFailure(ctx, r.evalID)
	switch {
	case err != nil:
		return err
	case why != "":
		return r.fail("could not be placed: " + why)
	}
	return nil
}

// follow watches the deployment and the allocations of the job until the
// deployment ends or an allocation fails.
func (r *rollout) follow(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	deps := make(chan *api.Deployment)
	allocs := make(chan []*api.AllocationListStub)
	errs := make(chan error, 1)
	go follow(ctx, func(q *api.QueryOptions) (*api.Deployment, *api.QueryMeta, error) {
		return r.s.client.Jobs().LatestDeployment(r.id, q)
	}, deps, errs)
	go follow(ctx, func(q *api.QueryOptions) ([]*api.AllocationListStub, *api.QueryMeta, error) {
		return r.s.client.Jobs().Allocations(r.id, false, q)
	}, allocs, errs)
	var dep *api.Deployment
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errs:
			r.log.Warn("watch deployment", "error", err)
			continue
		case d := <-deps:
			if d != nil && d.JobCreateIndex == r.createIndex && d.JobVersion == r.version {
				dep = d
			}
		case as := <-allocs:
			if err := r.observe(as); err != nil {
				return err
			}
			if r.allHealthy(as) {
				// Nomad marks the deployment successful about a second
				// later; the instances already serve.
				r.log.Debug("all instances healthy", "since_register_ms", time.Since(r.start).Milliseconds())
				return nil
			}
		}
		if done, err := r.verdict(dep); done {
			return err
		}
	}
}

// observe writes progress lines for the allocations of this job version
// and fails on the first allocation that failed or was found unhealthy.
func (r *rollout) observe(allocs []*api.AllocationListStub) error {
	slices.SortFunc(allocs, func(a, b *api.AllocationListStub) int { return strings.Compare(a.Name, b.Name) })
	for _, a := range allocs {
		if a.JobVersion != r.version {
			continue
		}
		r.report(a)
		if a.ClientStatus == api.AllocClientStatusFailed || isUnhealthy(a) {
			return r.allocFailure(a)
		}
	}
	return nil
}

// report writes what changed about an allocation since the last look.
func (r *rollout) report(a *api.AllocationListStub) {
	seen := r.seen[a.ID]
	name := instanceName(a.Name)
	ts := a.TaskStates[a.TaskGroup]
	if ts != nil && ts.Restarts > seen.restarts {
		fmt.Fprintf(r.progress, "%s crashed (%s), restarting\n", name, lastExit(ts))
		seen.restarts = ts.Restarts
	}
	if ts != nil && ts.State == "running" && !seen.started {
		fmt.Fprintf(r.progress, "%s started\n", name)
		r.log.Debug("task started", "alloc", a.ID, "since_register_ms", time.Since(r.start).Milliseconds())
		seen.started = true
	}
	if isHealthy(a) && !seen.healthy {
		fmt.Fprintf(r.progress, "%s healthy\n", name)
		r.log.Debug("alloc healthy", "alloc", a.ID, "since_register_ms", time.Since(r.start).Milliseconds())
		seen.healthy = true
	}
	r.seen[a.ID] = seen
}

// allHealthy reports whether every process type has as many healthy
// allocations of this job version as it asks for.
func (r *rollout) allHealthy(allocs []*api.AllocationListStub) bool {
	healthy := map[string]int{}
	for _, a := range allocs {
		if a.JobVersion == r.version && a.DesiredStatus == api.AllocDesiredStatusRun && isHealthy(a) {
			healthy[a.TaskGroup]++
		}
	}
	for _, p := range r.d.Processes {
		if healthy[p.Type] < p.Count {
			return false
		}
	}
	return true
}

// verdict reports whether the deployment has ended, and how.
func (r *rollout) verdict(dep *api.Deployment) (bool, error) {
	if dep == nil {
		return false, nil
	}
	switch dep.Status {
	case api.DeploymentStatusSuccessful:
		r.log.Debug("deployment successful", "since_register_ms", time.Since(r.start).Milliseconds())
		return true, nil
	case api.DeploymentStatusFailed, api.DeploymentStatusCancelled:
		return true, r.stuck("deployment "+strings.ToLower(dep.StatusDescription), true)
	}
	return false, nil
}

func isHealthy(a *api.AllocationListStub) bool {
	return a.DeploymentStatus != nil && a.DeploymentStatus.Healthy != nil && *a.DeploymentStatus.Healthy
}

func isUnhealthy(a *api.AllocationListStub) bool {
	return a.DeploymentStatus != nil && a.DeploymentStatus.Healthy != nil && !*a.DeploymentStatus.Healthy
}

// instanceName turns Nomad's "paas-hello-v2.web[0]" into "web.1".
func instanceName(allocName string) string {
	_, rest, ok := strings.Cut(allocName, ".")
	if !ok {
		return allocName
	}
	group, idx, ok := strings.Cut(strings.TrimSuffix(rest, "]"), "[")
	n, err := strconv.Atoi(idx)
	if !ok || err != nil {
		return rest
	}
	return group + "." + strconv.Itoa(n+1)
}

// total counts the instances a deployment asks for.
func total(ps []paas.Process) int {
	n := 0
	for _, p := range ps {
		n += p.Count
	}
	return n
}
