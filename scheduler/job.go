package scheduler

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// WebProcess is the process type that receives HTTP traffic: it gets a
// port, a service in the catalogue and a health check.
const WebProcess = "web"

// The tags by which a web service registration describes its instance.
const (
	tagApp     = "paas.app="
	tagRelease = "paas.release="
	tagHealth  = "paas.health="
)

// Meta keys on every job.
const (
	metaApp     = "paas.app"
	metaRelease = "paas.release"
)

// portLabel names the dynamic port of a web instance.
const portLabel = "http"

// restartAttempts is how often a crashing task is restarted before the
// instance is failed; a crash loop then ends a deploy within seconds.
const restartAttempts = 2

// processTypeRe matches process type names: they become Nomad group and
// task names and appear in progress lines.
var processTypeRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,29}$`)

// envKeyRe matches environment variable names a container can receive.
var envKeyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ServiceName returns the name under which the web instances of app are
// registered in Nomad's service catalogue.
func ServiceName(app string) string { return "paas-" + app + "-web" }

// validateDeployment reports what is wrong with d, as a user would fix it.
func validateDeployment(d paas.Deployment) error {
	if err := paas.ValidateAppName(d.App); err != nil {
		return err
	}
	if d.Release < 1 {
		return paas.Errorf(paas.EINVALID, "release number %d is not positive", d.Release)
	}
	if err := validateImage(d.Image); err != nil {
		return err
	}
	if d.HealthPath != "" && !strings.HasPrefix(d.HealthPath, "/") {
		return paas.Errorf(paas.EINVALID, "health check path %q must start with /", d.HealthPath)
	}
	if d.HealthInterval < 0 || d.HealthInterval > 0 && d.HealthInterval < time.Second ||
		d.HealthTimeout < 0 || d.HealthTimeout > 0 && d.HealthTimeout < time.Second {
		return paas.Errorf(paas.EINVALID, "health check interval and timeout must be at least 1s")
	}
	for k := range d.Env {
		if !envKeyRe.MatchString(k) {
			return paas.Errorf(paas.EINVALID, "config var name %q is not a valid environment variable name; use letters, digits and _", k)
		}
	}
	return validateProcesses(d.Processes)
}

func validateProcesses(ps []paas.Process) error {
	if len(ps) == 0 {
		return paas.Errorf(paas.EINVALID, "the release has no process types; declare at least a web process")
	}
	seen := map[string]bool{}
	for _, p := range ps {
		switch {
		case !processTypeRe.MatchString(p.Type):
			return paas.Errorf(paas.EINVALID, "process type %q is not valid; use up to 30 lower-case letters, digits, - and _, starting with a letter", p.Type)
		case seen[p.Type]:
			return paas.Errorf(paas.EINVALID, "process type %q is declared twice", p.Type)
		case p.Count < 0:
			return paas.Errorf(paas.EINVALID, "process type %q has a negative count %d", p.Type, p.Count)
		case p.CPU < 0 || p.Memory < 0:
			return paas.Errorf(paas.EINVALID, "process type %q asks for negative resources", p.Type)
		}
		seen[p.Type] = true
	}
	return nil
}

// validateImage rejects references that would make Nomad pull from a
// registry: images are built locally, so the tag must be explicit and must
// not be latest (Nomad always re-pulls :latest).
func validateImage(image string) error {
	if image == "" {
		return paas.Errorf(paas.EINVALID, "the release has no image")
	}
	if strings.ContainsAny(image, " \t\n") {
		return paas.Errorf(paas.EINVALID, "image %q contains white space", image)
	}
	if strings.Contains(image, "@") {
		return nil // pinned by digest
	}
	name := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(name, ":")
	switch {
	case !ok || tag == "":
		return paas.Errorf(paas.EINVALID, "image %q has no tag; tag release images with a version, not latest", image)
	case tag == "latest":
		return paas.Errorf(paas.EINVALID, "image %q uses the latest tag, which Nomad would pull from a registry; tag release images with a version", image)
	}
	return nil
}

// renderJob turns a deployment into the Nomad job that runs it. d must be
// valid. The job holds one task group per process type, in d's order.
func renderJob(d paas.Deployment, o Options) *api.Job {
	id := JobID(d.App, d.Release)
	job := api.NewServiceJob(id, id, "", 50)
	job.Datacenters = []string{o.Datacenter}
	job.Meta = map[string]string{metaApp: d.App, metaRelease: strconv.Itoa(d.Release)}
	for _, p := range d.Processes {
		job.AddTaskGroup(renderGroup(d, p, o))
	}
	return job
}

// renderGroup renders the task group of one process type.
func renderGroup(d paas.Deployment, p paas.Process, o Options) *api.TaskGroup {
	tg := api.NewTaskGroup(p.Type, p.Count)
	tg.Meta = map[string]string{"paas.process": p.Type}
	tg.ShutdownDelay = ptr(o.ShutdownDelay)
	tg.Update = renderUpdate(o)
	tg.RestartPolicy = &api.RestartPolicy{
		Attempts: ptr(restartAttempts),
		Interval: ptr(5 * time.Minute),
		Delay:    ptr(1 * time.Second),
		Mode:     ptr("fail"),
	}
	tg.ReschedulePolicy = &api.ReschedulePolicy{Attempts: ptr(0), Unlimited: ptr(false)}
	task := renderTask(d, p, o)
	if p.Type == WebProcess {
		tg.Networks = []*api.NetworkResource{{Mode: "host", DynamicPorts: []api.Port{{Label: portLabel}}}}
		tg.Services = []*api.Service{renderService(d, o)}
		task.Config["ports"] = []string{portLabel}
		task.Env["PORT"] = "${NOMAD_PORT_" + portLabel + "}"
	}
	tg.Tasks = []*api.Task{task}
	return tg
}

func renderUpdate(o Options) *api.UpdateStrategy {
	return &api.UpdateStrategy{
		MaxParallel:      ptr(1),
		HealthCheck:      ptr("checks"),
		MinHealthyTime:   ptr(o.MinHealthyTime),
		HealthyDeadline:  ptr(o.HealthyDeadline),
		ProgressDeadline: ptr(o.ProgressDeadline),
		AutoRevert:       ptr(false),
		AutoPromote:      ptr(false),
		Canary:           ptr(0),
	}
}

// renderTask renders the one task of a process type. The docker driver
// finds the image locally (force_pull is off and the tag is never latest).
func renderTask(d paas.Deployment, p paas.Process, o Options) *api.Task {
	task := api.NewTask(p.Type, "docker")
	task.Config = map[string]any{"image": d.Image, "force_pull": false}
	if len(p.Command) > 0 {
		task.Config["command"] = p.Command[0]
		if len(p.Command) > 1 {
			task.Config["args"] = p.Command[1:]
		}
	}
	task.Env = maps.Clone(d.Env)
	if task.Env == nil {
		task.Env = map[string]string{}
	}
	task.Env["PAAS_APP"] = d.App
	task.Env["PAAS_RELEASE"] = strconv.Itoa(d.Release)
	task.Env["PAAS_PROCESS"] = p.Type
	task.Resources = &api.Resources{CPU: ptr(cmp.Or(p.CPU, o.CPU)), MemoryMB: ptr(cmp.Or(p.Memory, o.MemoryMB))}
	task.KillTimeout = ptr(o.KillTimeout)
	return task
}

// renderService registers web instances in Nomad's own catalogue. The tags
// carry what the router needs to know about an instance.
func renderService(d paas.Deployment, o Options) *api.Service {
	health := healthPath(d)
	return &api.Service{
		Name:      ServiceName(d.App),
		Provider:  "nomad",
		PortLabel: portLabel,
		Tags: []string{
			tagApp + d.App,
			tagRelease + strconv.Itoa(d.Release),
			tagHealth + health,
		},
		Checks: []api.ServiceCheck{{
			Name:     "http",
			Type:     "http",
			Path:     health,
			Method:   "GET",
			Interval: cmp.Or(d.HealthInterval, o.CheckInterval),
			Timeout:  cmp.Or(d.HealthTimeout, o.CheckTimeout),
		}},
	}
}

func healthPath(d paas.Deployment) string {
	if d.HealthPath == "" {
		return "/"
	}
	return d.HealthPath
}

// describeProcesses says what a deployment launches, e.g.
// "2 web instances, 1 worker instance".
func describeProcesses(ps []paas.Process) string {
	var parts []string
	for _, p := range ps {
		if p.Count == 0 {
			continue
		}
		noun := "instance"
		if p.Count > 1 {
			noun = "instances"
		}
		parts = append(parts, fmt.Sprintf("%d %s %s", p.Count, p.Type, noun))
	}
	if len(parts) == 0 {
		return "no instances"
	}
	return strings.Join(parts, ", ")
}

func ptr[T any](v T) *T { return &v }
