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
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// runTask names the group and task of a one-off job.
const runTask = "run"

// After a one-off ended, Run takes its output until none came for logQuiet
// (logNoneYet when none came at all), for at most logDrainTimeout.
// Nomad copies a container's output into its log files a moment after the
// process wrote it, longer on a busy machine: a command that finished
// before its stream connected may show nothing for a while yet.
const (
	logQuiet        = 500 * time.Millisecond
	logNoneYet      = 3 * time.Second
	logDrainTimeout = 8 * time.Second
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

// followRun waits for the one-off's allocation, streams its output while
// it runs and returns its exit code.
func (s *Scheduler) followRun(ctx context.Context, id, evalID string, out io.Writer) (int, error) {
	if why, err := s.placementFailure(ctx, evalID); err != nil || why != "" {
		return 0, cmp.Or(err, error(paas.Errorf(paas.EINVALID, "the command could not be placed: %s", why)))
	}
	a, err := s.waitRun(ctx, id, func(a *api.AllocationListStub) bool { return started(a) || terminal(a) })
	if err != nil {
		return 0, runCancelled(ctx, err)
	}
	var streams sync.WaitGroup
	var lastFrame atomic.Int64 // unix nanoseconds
	logCtx, stopLogs := context.WithCancel(context.WithoutCancel(ctx))
	defer streams.Wait() // out is not written to after Run returns
	defer stopLogs()
	// A short command may have finished before it was seen running: its
	// logs are still there to read, so stream whenever the task started.
	var full *api.Allocation
	if started(a) || a.TaskStates[runTask] != nil {
		full, _, err = s.client.Allocations().Info(a.ID, query(ctx))
		if err != nil {
			return 0, fmt.Errorf("look up allocation %s: %w", a.ID, nomadError(err))
		}
		w := &lockedWriter{w: out}
		for _, stream := range []string{"stdout", "stderr"} {
			streams.Go(func() { s.streamLog(logCtx, full, stream, w, &lastFrame) })
		}
	}
	if a, err = s.waitRun(ctx, id, terminal); err != nil {
		return 0, runCancelled(ctx, err)
	}
	// A followed log stream stays open after the task ended: take what
	// still comes, then close it.
	waitQuiet(&lastFrame, time.Now(), logDrainTimeout)
	if lastFrame.Load() == 0 {
		// The streams sent nothing: Nomad may have closed them on a task
		// that ended before its output reached the log files. Read the
		// files once more, whole.
		if full == nil {
			full, _, _ = s.client.Allocations().Info(a.ID, query(ctx))
		}
		if full != nil {
			stopLogs()
			streams.Wait()
			s.copyWholeLogs(ctx, full, out)
		}
	}
	return runResult(a, out)
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

// streamLog copies one log stream of the one-off to w until ctx ends,
// noting the time of each frame in last.
func (s *Scheduler) streamLog(ctx context.Context, alloc *api.Allocation, stream string, w io.Writer, last *atomic.Int64) {
	frames, errs := s.client.AllocFS().Logs(alloc, true, runTask, stream, "start", 0, ctx.Done(), query(ctx))
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				return
			}
			// Heartbeat frames carry no data: only output counts as a
			// frame, or a silent stream would look like one that spoke.
			if len(f.Data) == 0 {
				continue
			}
			w.Write(f.Data)
			last.Store(time.Now().UnixNano())
		case err := <-errs:
			if ctx.Err() == nil {
				s.log.Warn("stream one-off output", "alloc", alloc.ID, "error", err)
			}
			return
		case <-ctx.Done():
			drainFrames(frames, errs)
			return
		}
	}
}

// waitQuiet waits until no frame came for logQuiet since the later of the
// last frame and since (logNoneYet when no frame came at all, which leaves
// a stream that connected late the time to deliver), at most max.
func waitQuiet(last *atomic.Int64, since time.Time, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		quiet := logQuiet
		if last.Load() == 0 {
			quiet = logNoneYet
		}
		if time.Since(latest(since, time.Unix(0, last.Load()))) >= quiet {
			return
		}
		time.Sleep(logQuiet / 4)
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

// lockedWriter serialises the writes of the two log streams.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// copyWholeLogs writes what a finished one-off wrote to stdout, then to
// stderr, read from the start of Nomad's log files.
func (s *Scheduler) copyWholeLogs(ctx context.Context, alloc *api.Allocation, out io.Writer) {
	for _, stream := range []string{"stdout", "stderr"} {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		frames, errs := s.client.AllocFS().Logs(alloc, false, runTask, stream, "start", 0, ctx.Done(), query(ctx))
	read:
		for {
			select {
			case f, ok := <-frames:
				if !ok {
					break read
				}
				out.Write(f.Data)
			case <-errs:
				break read
			case <-ctx.Done():
				drainFrames(frames, errs)
				break read
			}
		}
		cancel()
	}
}
