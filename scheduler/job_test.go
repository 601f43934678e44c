package scheduler

import (
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/nomad/api"
)

// testOptions are the defaults, as New would fill them in.
var testOptions = Options{}.withDefaults()

func TestRenderJobWeb(t *testing.T) {
	d := paas.Deployment{
		App: "hello", Release: 2, Image: "paas/hello:v2",
		Processes: []paas.Process{{Type: "web", Count: 3}},
		Env:       map[string]string{"DATABASE_URL": "postgres://secret", "PORT": "1"},
	}
	job := renderJob(d, testOptions)

	wantJob := map[string]any{
		"ID": "paas-hello-v2", "Name": "paas-hello-v2", "Type": "service",
		"Datacenters": []string{"dc1"},
		"Meta":        map[string]string{"paas.app": "hello", "paas.release": "2"},
		"Groups":      1,
	}
	gotJob := map[string]any{
		"ID": *job.ID, "Name": *job.Name, "Type": *job.Type,
		"Datacenters": job.Datacenters, "Meta": job.Meta, "Groups": len(job.TaskGroups),
	}
	if diff := cmp.Diff(wantJob, gotJob); diff != "" {
		t.Errorf("job (-want +got):\n%s", diff)
	}

	want := &api.TaskGroup{
		Name:          ptr("web"),
		Count:         ptr(3),
		Meta:          map[string]string{"paas.process": "web"},
		ShutdownDelay: ptr(2 * time.Second),
		Update: &api.UpdateStrategy{
			MaxParallel:      ptr(1),
			HealthCheck:      ptr("checks"),
			MinHealthyTime:   ptr(time.Second),
			HealthyDeadline:  ptr(60 * time.Second),
			ProgressDeadline: ptr(90 * time.Second),
			AutoRevert:       ptr(false),
			AutoPromote:      ptr(false),
			Canary:           ptr(0),
		},
		RestartPolicy: &api.RestartPolicy{
			Attempts: ptr(2), Interval: ptr(5 * time.Minute), Delay: ptr(time.Second), Mode: ptr("fail"),
		},
		ReschedulePolicy: &api.ReschedulePolicy{Attempts: ptr(0), Unlimited: ptr(false)},
		Networks:         []*api.NetworkResource{{Mode: "host", DynamicPorts: []api.Port{{Label: "http"}}}},
		Services: []*api.Service{{
			Name:      "paas-hello-web",
			Provider:  "nomad",
			PortLabel: "http",
			Tags:      []string{"paas.app=hello", "paas.release=2", "paas.health=/"},
			Checks: []api.ServiceCheck{{
				Name: "http", Type: "http", Path: "/", Method: "GET",
				Interval: time.Second, Timeout: 2 * time.Second,
			}},
		}},
		Tasks: []*api.Task{{
			Name:   "web",
			Driver: "docker",
			Config: map[string]any{"image": "paas/hello:v2", "force_pull": false, "ports": []string{"http"}},
			Env: map[string]string{
				"DATABASE_URL": "postgres://secret",
				"PORT":         "${NOMAD_PORT_http}",
				"PAAS_APP":     "hello", "PAAS_RELEASE": "2", "PAAS_PROCESS": "web",
			},
			Resources:   &api.Resources{CPU: ptr(100), MemoryMB: ptr(128)},
			KillTimeout: ptr(5 * time.Second),
		}},
	}
	if diff := cmp.Diff(want, job.TaskGroups[0]); diff != "" {
		t.Errorf("web group (-want +got):\n%s", diff)
	}
}

func TestRenderJobProcesses(t *testing.T) {
	base := paas.Deployment{App: "shop", Release: 7, Image: "paas/shop:v7"}
	tests := []struct {
		name   string
		opts   Options
		procs  []paas.Process
		health string
		// interval and timeout are the deployment's health check timing.
		interval, timeout time.Duration
		group             string // the group the checks look at
		check             func(t *testing.T, tg *api.TaskGroup)
		nGroups           int
	}{{
		name:  "worker has no port, service or PORT",
		procs: []paas.Process{{Type: "web", Count: 1}, {Type: "worker", Count: 2}},
		group: "worker", nGroups: 2,
		check: func(t *testing.T, tg *api.TaskGroup) {
			if *tg.Count != 2 || tg.Networks != nil || tg.Services != nil {
				t.Errorf("count %d, networks %v, services %v", *tg.Count, tg.Networks, tg.Services)
			}
			if _, ok := tg.Tasks[0].Env["PORT"]; ok {
				t.Errorf("worker has PORT")
			}
			if _, ok := tg.Tasks[0].Config["ports"]; ok {
				t.Errorf("worker maps ports")
			}
		},
	}, {
		name:  "command becomes command and args",
		procs: []paas.Process{{Type: "web", Count: 1, Command: []string{"bin/server", "--port", "${PORT}"}}},
		group: "web", nGroups: 1,
		check: func(t *testing.T, tg *api.TaskGroup) {
			c := tg.Tasks[0].Config
			if diff := cmp.Diff([]any{"bin/server", []string{"--port", "${PORT}"}}, []any{c["command"], c["args"]}); diff != "" {
				t.Errorf("command (-want +got):\n%s", diff)
			}
		},
	}, {
		name:  "one-word command has no args",
		procs: []paas.Process{{Type: "clock", Count: 1, Command: []string{"clock"}}},
		group: "clock", nGroups: 1,
		check: func(t *testing.T, tg *api.TaskGroup) {
			if _, ok := tg.Tasks[0].Config["args"]; ok || tg.Tasks[0].Config["command"] != "clock" {
				t.Errorf("config = %v", tg.Tasks[0].Config)
			}
		},
	}, {
		name:  "count 0 keeps the group so that it can be scaled",
		procs: []paas.Process{{Type: "web", Count: 1}, {Type: "worker", Count: 0}},
		group: "worker", nGroups: 2,
		check: func(t *testing.T, tg *api.TaskGroup) {
			if *tg.Count != 0 {
				t.Errorf("count = %d", *tg.Count)
			}
		},
	}, {
		name:  "process resources override the defaults",
		procs: []paas.Process{{Type: "web", Count: 1, CPU: 500, Memory: 1024}},
		group: "web", nGroups: 1,
		check: func(t *testing.T, tg *api.TaskGroup) {
			if r := tg.Tasks[0].Resources; *r.CPU != 500 || *r.MemoryMB != 1024 {
				t.Errorf("resources = %d MHz, %d MB", *r.CPU, *r.MemoryMB)
			}
		},
	}, {
		name:   "health path reaches check and tag",
		procs:  []paas.Process{{Type: "web", Count: 1}},
		health: "/healthz",
		group:  "web", nGroups: 1,
		check: func(t *testing.T, tg *api.TaskGroup) {
			svc := tg.Services[0]
			if svc.Checks[0].Path != "/healthz" || svc.Tags[2] != "paas.health=/healthz" {
				t.Errorf("check path %q, tags %v", svc.Checks[0].Path, svc.Tags)
			}
		},
	}, {
		name:     "deployment's check timing beats the options",
		procs:    []paas.Process{{Type: "web", Count: 1}},
		interval: 5 * time.Second, timeout: 3 * time.Second,
		group: "web", nGroups: 1,
		check: func(t *testing.T, tg *api.TaskGroup) {
			c := tg.Services[0].Checks[0]
			if c.Interval != 5*time.Second || c.Timeout != 3*time.Second {
				t.Errorf("check interval %s, timeout %s", c.Interval, c.Timeout)
			}
		},
	}, {
		name:  "options shape update, check and resources",
		opts:  Options{MinHealthyTime: 500 * time.Millisecond, HealthyDeadline: 10 * time.Second, ProgressDeadline: 20 * time.Second, CheckInterval: 2 * time.Second, CPU: 250, MemoryMB: 512, ShutdownDelay: 5 * time.Second},
		procs: []paas.Process{{Type: "web", Count: 1}},
		group: "web", nGroups: 1,
		check: func(t *testing.T, tg *api.TaskGroup) {
			got := []any{*tg.Update.MinHealthyTime, *tg.Update.HealthyDeadline, *tg.Update.ProgressDeadline,
				tg.Services[0].Checks[0].Interval, *tg.Tasks[0].Resources.CPU, *tg.Tasks[0].Resources.MemoryMB, *tg.ShutdownDelay}
			want := []any{500 * time.Millisecond, 10 * time.Second, 20 * time.Second, 2 * time.Second, 250, 512, 5 * time.Second}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base
			d.Processes, d.HealthPath = tt.procs, tt.health
			d.HealthInterval, d.HealthTimeout = tt.interval, tt.timeout
			if err := validateDeployment(d); err != nil {
				t.Fatalf("validate: %v", err)
			}
			job := renderJob(d, tt.opts.withDefaults())
			if len(job.TaskGroups) != tt.nGroups {
				t.Fatalf("%d groups, want %d", len(job.TaskGroups), tt.nGroups)
			}
			tg := job.LookupTaskGroup(tt.group)
			if tg == nil {
				t.Fatalf("no group %s", tt.group)
			}
			tt.check(t, tg)
		})
	}
}

func TestRenderJobDoesNotShareEnv(t *testing.T) {
	d := paas.Deployment{App: "a", Release: 1, Image: "a:v1", Env: map[string]string{"K": "v"},
		Processes: []paas.Process{{Type: "web", Count: 1}, {Type: "worker", Count: 1}}}
	renderJob(d, testOptions)
	if diff := cmp.Diff(map[string]string{"K": "v"}, d.Env); diff != "" {
		t.Errorf("deployment env changed (-want +got):\n%s", diff)
	}
}

func TestValidateDeployment(t *testing.T) {
	ok := paas.Deployment{App: "hello", Release: 1, Image: "paas/hello:v1", Processes: []paas.Process{{Type: "web", Count: 1}}}
	tests := []struct {
		name   string
		change func(d *paas.Deployment)
		want   string // part of the message; "" for valid
	}{
		{"valid", func(d *paas.Deployment) {}, ""},
		{"digest", func(d *paas.Deployment) { d.Image = "paas/hello@sha256:0123" }, ""},
		{"registry with port", func(d *paas.Deployment) { d.Image = "127.0.0.1:5000/hello:v1" }, ""},
		{"latest", func(d *paas.Deployment) { d.Image = "paas/hello:latest" }, "uses the latest tag"},
		{"no tag", func(d *paas.Deployment) { d.Image = "paas/hello" }, "has no tag"},
		{"registry port but no tag", func(d *paas.Deployment) { d.Image = "127.0.0.1:5000/hello" }, "has no tag"},
		{"no image", func(d *paas.Deployment) { d.Image = "" }, "has no image"},
		{"bad app", func(d *paas.Deployment) { d.App = "Hello" }, "must start with a lower-case letter"},
		{"release 0", func(d *paas.Deployment) { d.Release = 0 }, "release number 0"},
		{"no processes", func(d *paas.Deployment) { d.Processes = nil }, "no process types"},
		{"bad type", func(d *paas.Deployment) { d.Processes[0].Type = "Web!" }, `process type "Web!"`},
		{"twice", func(d *paas.Deployment) { d.Processes = append(d.Processes, d.Processes[0]) }, "declared twice"},
		{"negative", func(d *paas.Deployment) { d.Processes[0].Count = -1 }, "negative count"},
		{"health path", func(d *paas.Deployment) { d.HealthPath = "healthz" }, "must start with /"},
		{"env name", func(d *paas.Deployment) { d.Env = map[string]string{"A=B": "x"} }, `config var name "A=B"`},
		{"fast check", func(d *paas.Deployment) { d.HealthInterval = 100 * time.Millisecond }, "at least 1s"},
		{"short timeout", func(d *paas.Deployment) { d.HealthTimeout = time.Millisecond }, "at least 1s"},
		{"negative memory", func(d *paas.Deployment) { d.Processes[0].Memory = -1 }, "negative resources"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			d.Processes = append([]paas.Process{}, ok.Processes...)
			tt.change(&d)
			err := validateDeployment(d)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.want != "" && err == nil:
				t.Errorf("no error, want %q", tt.want)
			case tt.want != "" && (paas.ErrorCode(err) != paas.EINVALID || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v (%s), want %s containing %q", err, paas.ErrorCode(err), paas.EINVALID, tt.want)
			}
		})
	}
}

func TestDeployRejectsInvalidWithoutNomad(t *testing.T) {
	s, err := New(Options{Address: "http://127.0.0.1:1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := paas.Deployment{App: "hello", Release: 1, Image: "hello:latest", Processes: []paas.Process{{Type: "web", Count: 1}}}
	if err := s.Deploy(t.Context(), d, nil); paas.ErrorCode(err) != paas.EINVALID {
		t.Errorf("Deploy of a latest image = %v, want %s", err, paas.EINVALID)
	}
}

func TestJobIDs(t *testing.T) {
	tests := []struct {
		app, id string
		want    int // 0: not a job of app
	}{
		{"hello", "paas-hello-v2", 2},
		{"hello", "paas-hello-v10", 10},
		{"hello", "paas-hello-v", 0},
		{"hello", "paas-hello-v02", 0},
		{"hello", "paas-hello-v2-v1", 0}, // app hello-v2, release 1
		{"hello-v2", "paas-hello-v2-v1", 1},
		{"hello", "paas-hello2-v1", 0},
		{"hello", "other", 0},
	}
	for _, tt := range tests {
		got, ok := parseJobID(tt.app, tt.id)
		if ok != (tt.want != 0) || got != tt.want {
			t.Errorf("parseJobID(%q, %q) = %d, %v; want %d", tt.app, tt.id, got, ok, tt.want)
		}
	}
	if id := JobID("hello", 3); id != "paas-hello-v3" {
		t.Errorf("JobID = %q", id)
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"defaults", Options{}, ""},
		{"bad address", Options{Address: "127.0.0.1:4646"}, "is not a URL"},
		{"min healthy over deadline", Options{MinHealthyTime: time.Minute, HealthyDeadline: 30 * time.Second}, "must be shorter"},
		{"progress under healthy", Options{HealthyDeadline: time.Minute, ProgressDeadline: 30 * time.Second}, "must be longer"},
		{"fast check", Options{CheckInterval: 100 * time.Millisecond}, "at least 1s"},
		{"negative", Options{CPU: -1}, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
	if o := (Options{HealthyDeadline: 5 * time.Minute}).withDefaults(); o.ProgressDeadline <= o.HealthyDeadline {
		t.Errorf("default progress deadline %s is not past healthy deadline %s", o.ProgressDeadline, o.HealthyDeadline)
	}
}

func TestDescribeProcesses(t *testing.T) {
	got := describeProcesses([]paas.Process{{Type: "web", Count: 2}, {Type: "clock", Count: 0}, {Type: "worker", Count: 1}})
	if want := "2 web instances, 1 worker instance"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := describeProcesses([]paas.Process{{Type: "web"}}); got != "no instances" {
		t.Errorf("got %q", got)
	}
}
