package scheduler

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// runTask names the group and task of a one-off job.
const runTask = "run"

// A one-off runs under paas-runner (cmd/paas-runner), mounted read-only into
// its container at runnerPath. The runner copies the command's output into
// runOutput in the allocation's shared directory, which Run reads while the
// command runs and once more, to its end, after the task ended: unlike
// Nomad's log files, the copy is complete however short the command was.
const (
	runnerPath = "/.paas/runner"
	runOutput  = "alloc/data/paas-run.out"
	// runPoll is how often Run looks for more output while the command
	// runs.
	runPoll = 250 * time.Millisecond
)

// Run runs o.Command once, with o's image and environment, as a Nomad
// batch job. It streams the process's stdout and stderr to out as they
// come and returns its exit code. The job is purged when the process
// ends, or killed and purged when ctx ends. An error means the process
// could not run: no room, a missing image, a command that does not exist.
func (s *Scheduler) Run(ctx context.Context, o paas.OneOff, out io.Writer) (int, error) {
	if err := validateOneOff(o); err != nil {
		return 0, err
	}
	if s.opts.Runner == "" {
		return 0, paas.Errorf(paas.EUNAVAILABLE, "one-off processes need the paas-runner binary; start paasd with --runner")
	}
	if out == nil {
		out = io.Discard
	}
	id := runPrefix(o.App) + randomSuffix()
	log := s.log.With("app", o.App, "release", o.Release, "job", id)
	resp, _, err := s.client.Jobs().Register(renderOneOff(o, id, s.opts), write(ctx))
	if err != nil {
		return 0, fmt.Errorf("register job %s: %w", id, nomadError(err))
	}
	log.Info("one-off started", "env_vars", len(o.Env))
	defer s.purgeRun(ctx, o.App, id)
	code, err := s.followRun(ctx, id, resp.EvalID, out)
	if err != nil {
		log.Warn("one-off failed", "error", err)
		return 0, err
	}
	log.Info("one-off finished", "exit_code", code)
	return code, nil
}

// followRun waits for the one-off's allocation, copies its output to out
// while it runs and returns its exit code.
func (s *Scheduler) followRun(ctx context.Context, id, evalID string, out io.Writer) (int, error) {
	if why, err := s.placementFailure(ctx, evalID); err != nil || why != "" {
		return 0, cmp.Or(err, error(paas.Errorf(paas.EINVALID, "the command could not be placed: %s", why)))
	}
	stub, err := s.waitRun(ctx, id, func(a *api.AllocationListStub) bool { return started(a) || terminal(a) })
	if err != nil {
		return 0, runCancelled(ctx, err)
	}
	var (
		index  uint64
		copied int64
	)
	for {
		// Blocking on the allocation paces the loop and sees the end of
		// the task at once.
		a, qm, err := s.client.Allocations().Info(stub.ID, blocking(ctx, index, runPoll))
		if err != nil {
			return 0, runCancelled(ctx, fmt.Errorf("look up allocation %s: %w", stub.ID, nomadError(err)))
		}
		index = nextIndex(qm.LastIndex)
		ended := terminal(a.Stub())
		// The runner closed the copy before the task ended: once the task
		// is seen to have ended, reading to the copy's end reads it all.
		n, err := s.copyRunOutput(ctx, a, copied, out)
		copied += n
		if err != nil {
			return 0, runCancelled(ctx, err)
		}
		if ended {
			return runResult(a.Stub(), out)
		}
	}
}

// copyRunOutput writes what the one-off's output copy holds past offset to
// out and says how much that was. A copy the runner has not made yet holds
// nothing.
func (s *Scheduler) copyRunOutput(ctx context.Context, a *api.Allocation, offset int64, out io.Writer) (int64, error) {
	info, _, err := s.client.AllocFS().Stat(a, runOutput, query(ctx))
	if err != nil {
		if isNoSuchFile(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("read the output of allocation %s: %w", a.ID, nomadError(err))
	}
	if info.Size <= offset {
		return 0, nil
	}
	r, err := s.client.AllocFS().ReadAt(a, runOutput, offset, info.Size-offset, query(ctx))
	if err != nil {
		return 0, fmt.Errorf("read the output of allocation %s: %w", a.ID, nomadError(err))
	}
	defer r.Close()
	n, err := io.Copy(out, r)
	if err != nil {
		return n, fmt.Errorf("read the output of allocation %s: %w", a.ID, err)
	}
	return n, nil
}

// isNoSuchFile reports whether err is Nomad's answer for a file that is not
// in an allocation's directory.
func isNoSuchFile(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "no such file") || strings.Contains(msg, "not found")
}

// waitRun waits until the one-off's allocation satisfies ok.
func (s *Scheduler) waitRun(ctx context.Context, id string, ok func(*api.AllocationListStub) bool) (*api.AllocationListStub, error) {
	var index uint64
	for {
		allocs, qm, err := s.client.Jobs().Allocations(id, false, blocking(ctx, index, blockingWait))
		if err != nil {
			return nil, nomadError(err)
		}
		index = nextIndex(qm.LastIndex)
		for _, a := range allocs {
			if ok(a) {
				return a, nil
			}
		}
	}
}

// runResult reads the exit code of a finished one-off, or why it did not
// run.
func runResult(a *api.AllocationListStub, out io.Writer) (int, error) {
	ts := a.TaskStates[runTask]
	if ts == nil {
		return 0, paas.Errorf(paas.EINVALID, "the command did not start (%s)", a.ClientStatus)
	}
	ev := lastEvent(ts, api.TaskTerminated, api.TaskDriverFailure, api.TaskSetupFailure, api.TaskFailedValidation)
	switch {
	case ev == nil:
		return 0, paas.Errorf(paas.EINVALID, "the command ended without an exit code (%s)", a.ClientStatus)
	case ev.Type != api.TaskTerminated:
		return 0, paas.Errorf(paas.EINVALID, "the command could not start: %s", eventMessage(ev))
	case ev.Details["oom_killed"] == "true":
		fmt.Fprintln(out, "(the command ran out of memory)")
	}
	code, err := strconv.Atoi(ev.Details["exit_code"])
	if err != nil {
		return ev.ExitCode, nil
	}
	return code, nil
}

// purgeRun stops a one-off job, waits until its process is gone, and
// purges the job, even when ctx has ended.
func (s *Scheduler) purgeRun(ctx context.Context, app, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.drainTimeout())
	defer cancel()
	if err := s.stop(ctx, id); err != nil {
		s.log.Warn("stop one-off", "app", app, "job", id, "error", err)
		return
	}
	s.purgeWhenDrained(ctx, app, []appJob{{id: id}})
}

// placementFailure waits for an evaluation and says why it could not place
// every allocation, or "" when it could.
func (s *Scheduler) placementFailure(ctx context.Context, evalID string) (string, error) {
	var index uint64
	for evalID != "" {
		ev, qm, err := s.client.Evaluations().Info(evalID, blocking(ctx, index, blockingWait))
		if err != nil {
			return "", fmt.Errorf("look up evaluation %s: %w", evalID, nomadError(err))
		}
		index = nextIndex(qm.LastIndex)
		switch ev.Status {
		case "pending":
			continue
		case "complete":
			if len(ev.FailedTGAllocs) > 0 {
				return placementFailure(ev.FailedTGAllocs, s.opts.Datacenter), nil
			}
		case "failed":
			return fmt.Sprintf("evaluation failed: %s", ev.StatusDescription), nil
		}
		return "", nil
	}
	return "", nil
}

// runCancelled turns the error of a wait that ctx ended into the error of a
// cancelled run.
func runCancelled(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("%w: %w", paas.Errorf(paas.EUNAVAILABLE, "the command was stopped before it finished"), ctx.Err())
}

// renderOneOff renders the batch job of a one-off: one task, never
// restarted or rescheduled, without ports or services.
func renderOneOff(o paas.OneOff, id string, opts Options) *api.Job {
	job := api.NewBatchJob(id, id, "", 50)
	job.Datacenters = []string{opts.Datacenter}
	job.Meta = map[string]string{metaApp: o.App, metaRelease: strconv.Itoa(o.Release), "paas.run": "true"}
	tg := api.NewTaskGroup(runTask, 1)
	tg.RestartPolicy = &api.RestartPolicy{Attempts: ptr(0), Mode: ptr("fail")}
	tg.ReschedulePolicy = &api.ReschedulePolicy{Attempts: ptr(0), Unlimited: ptr(false)}
	d := paas.Deployment{App: o.App, Release: o.Release, Image: o.Image, Env: o.Env}
	task := renderTask(d, paas.Process{Type: runTask, Command: o.Command, CPU: o.CPU, Memory: o.Memory}, opts)
	// The runner takes the place of the image's entrypoint and runs it
	// with the command, as docker would have.
	task.Config["entrypoint"] = append([]string{runnerPath, "-output", "/" + runOutput, "--"}, o.Entrypoint...)
	task.Config["mount"] = []map[string]any{{
		"type": "bind", "source": opts.Runner, "target": runnerPath, "readonly": true,
	}}
	tg.Tasks = []*api.Task{task}
	job.AddTaskGroup(tg)
	return job
}

func validateOneOff(o paas.OneOff) error {
	if err := paas.ValidateAppName(o.App); err != nil {
		return err
	}
	if len(o.Command) == 0 {
		return paas.Errorf(paas.EINVALID, "give a command to run")
	}
	if o.CPU < 0 || o.Memory < 0 {
		return paas.Errorf(paas.EINVALID, "a one-off process cannot ask for negative resources")
	}
	if err := validateImage(o.Image); err != nil {
		return err
	}
	for k := range o.Env {
		if !envKeyRe.MatchString(k) {
			return paas.Errorf(paas.EINVALID, "config var name %q is not a valid environment variable name; use letters, digits and _", k)
		}
	}
	return nil
}

// runPrefix starts the IDs of app's one-off jobs; it cannot be confused
// with the jobs of releases ("paas-<app>-v<n>") or of other apps' releases.
func runPrefix(app string) string { return "paas-" + app + "-run-" }

// isRunJob reports whether id is a one-off job of app: the prefix and
// eight hex digits (the release jobs of app "<app>-run" end in "v<n>").
func isRunJob(app, id string) bool {
	rest, ok := strings.CutPrefix(id, runPrefix(app))
	if !ok || len(rest) != 8 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func started(a *api.AllocationListStub) bool {
	ts := a.TaskStates[runTask]
	return ts != nil && !ts.StartedAt.IsZero()
}

func terminal(a *api.AllocationListStub) bool {
	switch a.ClientStatus {
	case api.AllocClientStatusComplete, api.AllocClientStatusFailed, api.AllocClientStatusLost:
		return true
	}
	return false
}
