package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// AddonHostNetwork is the Nomad client host network the ports of add-ons
// bind to. deploy/nomad/agent.hcl declares it on the docker0 bridge, so
// that app containers reach an add-on at the bridge's gateway address and
// nothing outside this host does.
const AddonHostNetwork = "docker"

// addonTask names the group, the task and the port of an add-on's job.
const addonTask = "addon"

// Meta keys on the job of an add-on.
const (
	metaAddon     = "paas.addon"
	metaAddonType = "paas.addon.type"
)

// addonCrashes is how many restarts during DeployAddon mean the add-on
// crash-loops: the deploy fails then, with its output, instead of waiting
// for the healthy deadline.
const addonCrashes = 2

// AddonJobID returns the name of the Nomad job that runs add-on name.
func AddonJobID(name string) string { return "paas-addon-" + name }

// DeployAddon registers the job of add-on j.Addon and waits until its
// instance runs with a passing TCP check, writing progress lines. It
// returns where the add-on serves. When the add-on cannot be placed,
// crash-loops or is not healthy in time, the job is stopped and purged and
// the error says why, with the last lines of the add-on's output.
func (s *Scheduler) DeployAddon(ctx context.Context, j paas.AddonJob, progress io.Writer) (paas.Endpoint, error) {
	if err := validateAddonJob(j); err != nil {
		return paas.Endpoint{}, err
	}
	if progress == nil {
		progress = io.Discard
	}
	id := AddonJobID(j.Addon)
	log := s.log.With("addon", j.Addon, "job", id)
	start := time.Now()
	resp, _, err := s.client.Jobs().Register(renderAddonJob(j, s.opts), write(ctx))
	if err != nil {
		return paas.Endpoint{}, fmt.Errorf("register job %s: %w", id, nomadError(err))
	}
	log.Info("add-on job registered", "eval", resp.EvalID, "port", j.Port)
	fmt.Fprintf(progress, "Starting %s (%s)\n", j.Addon, j.Image)
	ep, err := s.waitAddon(ctx, j, resp.EvalID, progress)
	if err != nil {
		log.Warn("add-on failed to start", "error", err)
		s.removeAddon(context.WithoutCancel(ctx), j.Addon)
		return paas.Endpoint{}, err
	}
	log.Info("add-on healthy", "duration_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(progress, "%s is healthy (%.1fs)\n", j.Addon, time.Since(start).Seconds())
	return ep, nil
}

// waitAddon waits for the placement, then for a healthy allocation.
func (s *Scheduler) waitAddon(ctx context.Context, j paas.AddonJob, evalID string, progress io.Writer) (paas.Endpoint, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.ProgressDeadline)
	defer cancel()
	why, err := s.placementFailure(ctx, evalID)
	switch {
	case err != nil:
		return paas.Endpoint{}, addonCancelled(ctx, j.Addon, err)
	case why != "":
		return paas.Endpoint{}, paas.Errorf(paas.EINVALID, "add-on %s could not be placed: %s", j.Addon, why)
	}
	var index uint64
	started := false
	for {
		allocs, qm, err := s.client.Jobs().Allocations(AddonJobID(j.Addon), false, blocking(ctx, index, blockingWait))
		if err != nil {
			return paas.Endpoint{}, addonCancelled(ctx, j.Addon, nomadError(err))
		}
		index = nextIndex(qm.LastIndex)
		for _, a := range allocs {
			if a.DesiredStatus != api.AllocDesiredStatusRun {
				continue
			}
			if !started && stateOf(a) == StateRunning {
				fmt.Fprintf(progress, "%s started\n", j.Addon)
				started = true
			}
			if failed := addonFailed(a); failed != "" {
				return paas.Endpoint{}, s.addonFailure(j.Addon, a, failed)
			}
			if isHealthy(a) {
				return s.addonEndpoint(ctx, a.ID)
			}
		}
	}
}

// addonFailed says why allocation a will not become healthy, or "".
func addonFailed(a *api.AllocationListStub) string {
	ts := a.TaskStates[addonTask]
	switch {
	case a.ClientStatus == api.AllocClientStatusFailed:
		return "it failed"
	case isUnhealthy(a):
		return "its check did not pass in time"
	case ts != nil && lastEvent(ts, api.TaskDriverFailure) != nil:
		// A missing image or a taken port does not go away by itself.
		return "the container could not start"
	case ts != nil && ts.Restarts >= addonCrashes:
		return fmt.Sprintf("it crashed %d times (%s)", ts.Restarts, lastExit(ts))
	}
	return ""
}

// addonFailure is the error of an add-on whose allocation a failed, with
// the last lines of its output.
func (s *Scheduler) addonFailure(name string, a *api.AllocationListStub, why string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	e := paas.Errorf(paas.EINVALID, "add-on %s failed to start: %s", name, why)
	if ts := a.TaskStates[addonTask]; ts != nil {
		if ev := lastEvent(ts, api.TaskDriverFailure, api.TaskSetupFailure); ev != nil {
			e.Message += ": " + eventMessage(ev)
		}
	}
	lines, err := s.tailLogs(ctx, a.ID, addonTask, tailLines)
	if err != nil || len(lines) == 0 {
		return e
	}
	e.Message += "\nlast output of " + name + ":\n  " + strings.Join(lines, "\n  ")
	return e
}

// addonEndpoint reads the host address and port of the add-on's port
// from its allocation.
func (s *Scheduler) addonEndpoint(ctx context.Context, allocID string) (paas.Endpoint, error) {
	a, _, err := s.client.Allocations().Info(allocID, query(ctx))
	if err != nil {
		return paas.Endpoint{}, fmt.Errorf("look up allocation %s: %w", allocID, nomadError(err))
	}
	if a.AllocatedResources != nil {
		for _, p := range a.AllocatedResources.Shared.Ports {
			if p.Label == addonTask && p.HostIP != "" {
				return paas.Endpoint{Host: p.HostIP, Port: p.Value}, nil
			}
		}
	}
	return paas.Endpoint{}, fmt.Errorf("allocation %s has no address for port %q", allocID, addonTask)
}

// addonCancelled explains a wait that ended without a verdict.
func addonCancelled(ctx context.Context, name string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	return fmt.Errorf("%w: %w", paas.Errorf(paas.EUNAVAILABLE, "add-on %s did not become healthy in time; see paas addons:info %s", name, name), err)
}

// DestroyAddon stops the job of add-on name, waits for its instance to
// exit and purges the job. A job that does not exist is not an error.
func (s *Scheduler) DestroyAddon(ctx context.Context, name string) error {
	id := AddonJobID(name)
	if err := s.stop(ctx, id); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.drainTimeout()+addonKillTimeout)
	defer cancel()
	if err := s.waitDrained(ctx, id); err != nil {
		return fmt.Errorf("wait for add-on %s to stop: %w", name, err)
	}
	if err := s.purge(ctx, id); err != nil {
		return err
	}
	s.log.Info("add-on job purged", "addon", name, "job", id)
	return nil
}

// removeAddon is DestroyAddon after a failed deploy: errors are logged.
func (s *Scheduler) removeAddon(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(ctx, cleanupTimeout+addonKillTimeout)
	defer cancel()
	if err := s.DestroyAddon(ctx, name); err != nil {
		s.log.Error("remove failed add-on job", "addon", name, "error", err)
	}
}

// AddonStatus says what the instance of add-on name is doing now:
// running, unhealthy (its check fails), starting, restarting, crashed,
// stopped, or missing when there is no job.
func (s *Scheduler) AddonStatus(ctx context.Context, name string) (string, error) {
	id := AddonJobID(name)
	job, _, err := s.client.Jobs().Info(id, query(ctx))
	switch {
	case err != nil && isNotFound(err):
		return "missing", nil
	case err != nil:
		return "", fmt.Errorf("look up job %s: %w", id, nomadError(err))
	case job.Stop != nil && *job.Stop:
		return StateStopped, nil
	}
	a, err := s.addonAlloc(ctx, name)
	if err != nil || a == nil {
		return StateStarting, err
	}
	state := stateOf(a)
	if state == StateRunning && !s.checksPass(ctx, a.ID) {
		return "unhealthy", nil
	}
	return state, nil
}

// addonAlloc returns the newest allocation of add-on name that should run,
// or nil.
func (s *Scheduler) addonAlloc(ctx context.Context, name string) (*api.AllocationListStub, error) {
	allocs, _, err := s.client.Jobs().Allocations(AddonJobID(name), false, query(ctx))
	if err != nil {
		return nil, fmt.Errorf("list allocations of add-on %s: %w", name, nomadError(err))
	}
	allocs = slices.DeleteFunc(allocs, func(a *api.AllocationListStub) bool { return a.DesiredStatus != api.AllocDesiredStatusRun })
	if len(allocs) == 0 {
		return nil, nil
	}
	return slices.MaxFunc(allocs, func(a, b *api.AllocationListStub) int { return cmp.Compare(a.CreateIndex, b.CreateIndex) }), nil
}

// ExecAddon runs command in the running container of add-on name, with
// stdin, stdout and stderr streamed, and returns its exit code.
func (s *Scheduler) ExecAddon(ctx context.Context, name string, command []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	a, err := s.addonAlloc(ctx, name)
	if err != nil {
		return 0, err
	}
	if a == nil || stateOf(a) != StateRunning {
		return 0, paas.Errorf(paas.EUNAVAILABLE, "add-on %s is not running; see paas addons:info %s", name, name)
	}
	full, _, err := s.client.Allocations().Info(a.ID, query(ctx))
	if err != nil {
		return 0, fmt.Errorf("look up allocation %s: %w", a.ID, nomadError(err))
	}
	code, err := s.client.Allocations().Exec(ctx, full, addonTask, false, command, stdin, stdout, stderr, nil, query(ctx))
	if err != nil {
		return 0, fmt.Errorf("exec in add-on %s: %w", name, nomadError(err))
	}
	s.log.Info("ran command in add-on", "addon", name, "alloc", full.ID, "command", filepath.Base(command[0]), "exit_code", code)
	return code, nil
}

// addonScratch is where ExecAddonFile's commands write their output: the
// allocation's shared directory, which the docker driver mounts at /alloc
// and Nomad's file API reads.
const addonScratch = "alloc/data"

// ExecAddonFile runs command in the running container of add-on name with
// one more argument, the path of a file for the command to write its
// output to, and copies that file to out once the command succeeded. The
// file is removed afterwards. Unlike ExecAddon's stdout, which Nomad's exec
// stream can cut short (hashicorp/nomad#27146), the file arrives whole.
func (s *Scheduler) ExecAddonFile(ctx context.Context, name string, command []string, out, stderr io.Writer) (int, error) {
	a, err := s.addonAlloc(ctx, name)
	if err != nil {
		return 0, err
	}
	if a == nil || stateOf(a) != StateRunning {
		return 0, paas.Errorf(paas.EUNAVAILABLE, "add-on %s is not running; see paas addons:info %s", name, name)
	}
	full, _, err := s.client.Allocations().Info(a.ID, query(ctx))
	if err != nil {
		return 0, fmt.Errorf("look up allocation %s: %w", a.ID, nomadError(err))
	}
	file := addonScratch + "/paas-" + randomSuffix() + ".out"
	command = append(slices.Clone(command), "/"+file)
	defer func() {
		// Best effort: the allocation's directory goes with the add-on.
		rm := []string{"rm", "-f", "/" + file}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		s.client.Allocations().Exec(ctx, full, addonTask, false, rm, strings.NewReader(""), io.Discard, io.Discard, nil, query(ctx))
	}()
	code, err := s.client.Allocations().Exec(ctx, full, addonTask, false, command, strings.NewReader(""), io.Discard, stderr, nil, query(ctx))
	if err != nil {
		return 0, fmt.Errorf("exec in add-on %s: %w", name, nomadError(err))
	}
	s.log.Info("ran command in add-on", "addon", name, "alloc", full.ID, "command", filepath.Base(command[0]), "exit_code", code)
	if code != 0 {
		return code, nil
	}
	r, err := s.client.AllocFS().Cat(full, file, query(ctx))
	if err != nil {
		return 0, fmt.Errorf("read the output of add-on %s: %w", name, nomadError(err))
	}
	defer r.Close()
	if _, err := io.Copy(out, r); err != nil {
		return 0, fmt.Errorf("read the output of add-on %s: %w", name, err)
	}
	return 0, nil
}

// addonKillTimeout is how long an add-on may take to shut down after its
// kill signal: a database flushes its buffers.
const addonKillTimeout = 30 * time.Second

// validateAddonJob reports what is wrong with j.
func validateAddonJob(j paas.AddonJob) error {
	if err := paas.ValidateAddonName(j.Addon); err != nil {
		return err
	}
	if err := validateImage(j.Image); err != nil {
		return err
	}
	switch {
	case j.Port < 1 || j.Port > 65535 || j.ContainerPort < 1 || j.ContainerPort > 65535:
		return paas.Errorf(paas.EINVALID, "add-on %s has no valid port", j.Addon)
	case !filepath.IsAbs(j.DataDir) || !filepath.IsAbs(j.MountPath) || strings.ContainsAny(j.DataDir+j.MountPath, ":\n"):
		return paas.Errorf(paas.EINVALID, "add-on %s needs absolute data and mount paths without ':'", j.Addon)
	case j.CPU < 0 || j.Memory < 0:
		return paas.Errorf(paas.EINVALID, "add-on %s asks for negative resources", j.Addon)
	}
	for k := range j.Env {
		if !envKeyRe.MatchString(k) {
			return paas.Errorf(paas.EINVALID, "environment variable name %q of add-on %s is not valid", k, j.Addon)
		}
	}
	return nil
}

// renderAddonJob turns an add-on into the Nomad job that runs it: one
// instance, restarted in place when it crashes, its fixed port bound on
// AddonHostNetwork, its data directory bound from the host, and a TCP
// check on the port.
func renderAddonJob(j paas.AddonJob, o Options) *api.Job {
	id := AddonJobID(j.Addon)
	job := api.NewServiceJob(id, id, "", 60)
	job.Datacenters = []string{o.Datacenter}
	job.Meta = map[string]string{metaAddon: j.Addon, metaAddonType: j.Type}
	tg := api.NewTaskGroup(addonTask, 1)
	tg.Networks = []*api.NetworkResource{{Mode: "host", ReservedPorts: []api.Port{{
		Label: addonTask, Value: j.Port, To: j.ContainerPort, HostNetwork: AddonHostNetwork,
	}}}}
	tg.Services = []*api.Service{{
		Name: id, Provider: "nomad", PortLabel: addonTask, Tags: []string{metaAddon + "=" + j.Addon},
		Checks: []api.ServiceCheck{{Name: "tcp", Type: "tcp", Interval: o.CheckInterval, Timeout: o.CheckTimeout}},
	}}
	tg.Update = renderUpdate(o)
	// A database restarts in place, on the same port and data, for as long
	// as it takes; a crash loop shows in AddonStatus.
	tg.RestartPolicy = &api.RestartPolicy{Attempts: ptr(3), Interval: ptr(2 * time.Minute), Delay: ptr(5 * time.Second), Mode: ptr("delay")}
	tg.Tasks = []*api.Task{renderAddonTask(j)}
	job.AddTaskGroup(tg)
	return job
}

func renderAddonTask(j paas.AddonJob) *api.Task {
	task := api.NewTask(addonTask, "docker")
	task.Config = map[string]any{
		"image": j.Image, "force_pull": false, "ports": []string{addonTask},
		"volumes": []string{j.DataDir + ":" + j.MountPath},
	}
	if len(j.Command) > 0 {
		task.Config["args"] = j.Command
	}
	task.Env = map[string]string{"PAAS_ADDON": j.Addon}
	for k, v := range j.Env {
		task.Env[k] = v
	}
	task.Resources = &api.Resources{CPU: ptr(cmp.Or(j.CPU, DefaultCPU)), MemoryMB: ptr(cmp.Or(j.Memory, DefaultMemoryMB))}
	task.KillTimeout = ptr(addonKillTimeout)
	task.KillSignal = cmp.Or(j.KillSignal, "SIGTERM")
	return task
}
