package scheduler

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// tailLines is how many lines of the failing task's output a deploy error
// carries.
const tailLines = 20

// fail returns the error of a release that failed for a reason that no
// single instance explains, such as a placement failure.
func (r *rollout) fail(reason string) error {
	return paas.Errorf(paas.EINVALID, "release v%d failed to start: %s", r.d.Release, reason)
}

// allocFailure returns the error of a release whose allocation a failed:
// why, and the last lines the task wrote.
func (r *rollout) allocFailure(a *api.AllocationListStub) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	reason := r.s.diagnose(ctx, a, r.d)
	return r.withOutput(ctx, paas.Errorf(paas.EINVALID, "release v%d failed to start: %s", r.d.Release, reason), a)
}

// stuck returns the error of a release whose deployment ended, or ran out
// of time, without all instances healthy. It blames the first instance
// that is not healthy, when there is one, and says why; what is said
// first when it adds to that (a deadline), or instead when no instance is
// to blame.
func (r *rollout) stuck(what string, blameOnly bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	msg := fmt.Sprintf("release v%d failed to start: ", r.d.Release)
	a := r.culprit(ctx)
	switch {
	case a == nil:
		return paas.Errorf(paas.EINVALID, "%s%s", msg, what)
	case blameOnly:
		msg += r.s.diagnose(ctx, a, r.d)
	default:
		msg += what + ": " + r.s.diagnose(ctx, a, r.d)
	}
	return r.withOutput(ctx, paas.Errorf(paas.EINVALID, "%s", msg), a)
}

// withOutput appends the tail of a's task output to the message of e.
func (r *rollout) withOutput(ctx context.Context, e *paas.Error, a *api.AllocationListStub) error {
	lines, err := r.s.tailLogs(ctx, a.ID, a.TaskGroup, tailLines)
	if err != nil {
		r.log.Warn("read logs of failed task", "alloc", a.ID, "error", err)
		return e
	}
	if len(lines) == 0 {
		e.Message += fmt.Sprintf("\n%s wrote no output", instanceName(a.Name))
		return e
	}
	e.Message += fmt.Sprintf("\nlast output of %s:\n  %s", instanceName(a.Name), strings.Join(lines, "\n  "))
	return e
}

// culprit returns the first allocation of this job version that is not
// healthy, or nil.
func (r *rollout) culprit(ctx context.Context) *api.AllocationListStub {
	allocs, _, err := r.s.client.Jobs().Allocations(r.id, false, query(ctx))
	if err != nil {
		r.log.Warn("list allocations of failed job", "error", err)
		return nil
	}
	slices.SortFunc(allocs, func(a, b *api.AllocationListStub) int { return strings.Compare(a.Name, b.Name) })
	for _, a := range allocs {
		if a.JobVersion == r.version && !isHealthy(a) {
			return a
		}
	}
	return nil
}

// diagnose says, in a few words, why allocation a is not healthy.
func (s *Scheduler) diagnose(ctx context.Context, a *api.AllocationListStub, d paas.Deployment) string {
	task := a.TaskGroup
	ts := a.TaskStates[task]
	if ts == nil {
		return fmt.Sprintf("%s was not started (%s)", instanceName(a.Name), a.ClientStatus)
	}
	if ev := lastEvent(ts, api.TaskTerminated, api.TaskDriverFailure, api.TaskSetupFailure, api.TaskFailedValidation); ev != nil && ts.State != "running" {
		if ev.Type != api.TaskTerminated {
			return fmt.Sprintf("%s could not start: %s", task, eventMessage(ev))
		}
		return fmt.Sprintf("%s %s (%s)", task, exitDescription(ev, memoryOf(d, task, s.opts.MemoryMB)), plural(ts.Restarts, "restart"))
	}
	if task == WebProcess {
		return s.checkFailure(ctx, a, d)
	}
	return fmt.Sprintf("%s did not keep running (%s)", task, a.ClientStatus)
}

// checkFailure describes the failing health check of a running web task.
func (s *Scheduler) checkFailure(ctx context.Context, a *api.AllocationListStub, d paas.Deployment) string {
	path := healthPath(d)
	checks, err := s.client.Allocations().Checks(a.ID, query(ctx))
	if err == nil {
		for _, id := range slices.Sorted(maps.Keys(checks)) {
			c := checks[id]
			switch {
			case c.Status == "success":
			case c.StatusCode != 0:
				return fmt.Sprintf("web failed its health check: GET %s returned HTTP %d", path, c.StatusCode)
			case c.Output != "":
				return fmt.Sprintf("web failed its health check: GET %s: %s", path, firstLine(c.Output))
			}
		}
	}
	return fmt.Sprintf("web did not pass its health check GET %s within %s", path, s.opts.HealthyDeadline)
}

// lastEvent returns the latest event of ts of one of the types, or nil.
func lastEvent(ts *api.TaskState, types ...string) *api.TaskEvent {
	for i := len(ts.Events) - 1; i >= 0; i-- {
		if slices.Contains(types, ts.Events[i].Type) {
			return ts.Events[i]
		}
	}
	return nil
}

// lastExit describes the last exit of a task, for progress lines.
func lastExit(ts *api.TaskState) string {
	if ev := lastEvent(ts, api.TaskTerminated); ev != nil {
		return exitDescription(ev, 0)
	}
	if ev := lastEvent(ts, api.TaskDriverFailure); ev != nil {
		return eventMessage(ev)
	}
	return "unknown reason"
}

// exitDescription says how a task ended: "exited with code 1".
func exitDescription(ev *api.TaskEvent, memoryMB int) string {
	switch {
	case ev.Details["oom_killed"] == "true" && memoryMB > 0:
		return fmt.Sprintf("ran out of memory (limit %d MB)", memoryMB)
	case ev.Details["oom_killed"] == "true":
		return "ran out of memory"
	case ev.Details["signal"] != "" && ev.Details["signal"] != "0":
		return "was killed by signal " + ev.Details["signal"]
	case ev.Details["exit_code"] != "":
		return "exited with code " + ev.Details["exit_code"]
	}
	return fmt.Sprintf("exited with code %d", ev.ExitCode)
}

func eventMessage(ev *api.TaskEvent) string {
	if ev.DisplayMessage != "" {
		return ev.DisplayMessage
	}
	return ev.Message
}

// placementFailure explains why the scheduler found no room for some task
// groups, from the metrics of the evaluation.
func placementFailure(failed map[string]*api.AllocationMetric, datacenter string) string {
	var parts []string
	for _, group := range slices.Sorted(maps.Keys(failed)) {
		m := failed[group]
		var why []string
		if m.NodesEvaluated == 0 && m.NodesFiltered == 0 {
			why = append(why, "no ready client node in datacenter "+datacenter)
		}
		for _, k := range slices.Sorted(maps.Keys(m.ConstraintFiltered)) {
			why = append(why, fmt.Sprintf("%s on %s", k, plural(uint64(m.ConstraintFiltered[k]), "node")))
		}
		for _, k := range slices.Sorted(maps.Keys(m.DimensionExhausted)) {
			why = append(why, fmt.Sprintf("%s exhausted on %s", k, plural(uint64(m.DimensionExhausted[k]), "node")))
		}
		if len(why) == 0 {
			why = append(why, "no node has room")
		}
		parts = append(parts, group+": "+strings.Join(why, ", "))
	}
	return strings.Join(parts, "; ")
}

func plural(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// deadlineReason phrases a deploy that ran out of time.
func deadlineReason(d time.Duration) string {
	return fmt.Sprintf("not healthy within %s", d)
}

// firstLine returns the first non-empty line of s, clipped.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return clip(l, maxLineLen)
		}
	}
	return ""
}

// clip shortens s to at most n bytes, not splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// memoryOf returns the memory limit of process type typ in MB.
func memoryOf(d paas.Deployment, typ string, def int) int {
	for _, p := range d.Processes {
		if p.Type == typ && p.Memory > 0 {
			return p.Memory
		}
	}
	return def
}
