package appspec

import (
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// TestValidate holds each rule on specs built in code, as the API or a
// Procfile would, where there are no positions to report.
func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(s *Spec)
		want string
	}{
		{"default is valid", nil, ""},
		{"full spec is valid", func(s *Spec) {
			s.Build = Build{Stack: StackNode, Command: sh("npm run build")}
			s.Processes["worker"] = proc(Command{"node", "worker.js"})
			s.Release = sh("npm run migrate")
			s.Env["A"] = "b"
			s.Addons = []string{AddonPostgres, AddonRedis}
			s.Deploy = Deploy{Strategy: StrategyCanary, Canary: &Canary{Weight: 10, Steps: []int{10, 100}, Interval: time.Minute}}
		}, ""},
		{"dockerfile absolute", func(s *Spec) { s.Build.Dockerfile = "/Dockerfile" },
			`build.dockerfile is the absolute path "/Dockerfile"; give the path relative to the repository root, e.g. docker/Dockerfile`},
		{"dockerfile with nul", func(s *Spec) { s.Build.Dockerfile = "a\x00" },
			`build.dockerfile contains a NUL byte ("\0"); remove it`},
		{"unknown stack", func(s *Spec) { s.Build.Stack = "rust" },
			`build.stack is "rust"; use one of go, node, python, static`},
		{"dockerfile and stack", func(s *Spec) { s.Build = Build{Dockerfile: "Dockerfile", Stack: "go"} },
			`build sets both dockerfile and stack; keep dockerfile to build with it, or stack to build without one`},
		{"empty build command", func(s *Spec) { s.Build.Command = Command{} },
			`build.command is empty; write the command to run, or remove the key`},
		{"bad process name", func(s *Spec) { s.Processes["Web"] = proc(sh("x")) },
			`processes has an invalid process type "Web"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
		{"process named release", func(s *Spec) { s.Processes["release"] = proc(sh("x")) },
			`processes has a process type named "release"; the release command is the top-level release key, not a process`},
		{"worker without command", func(s *Spec) { s.Processes["worker"] = proc(nil) },
			`processes.worker has no command; only web may run the image's CMD, so add command: under worker`},
		{"blank shell command", func(s *Spec) { s.Processes["web"] = proc(sh(" ")) },
			`processes.web.command is empty; write the command to run, or remove the key`},
		{"command with nul", func(s *Spec) { s.Processes["web"] = proc(Command{"a", "b\x00"}) },
			`processes.web.command contains a NUL byte ("\0"); remove it`},
		{"zero cpu", func(s *Spec) { p := s.Processes["web"]; p.CPU = 0; s.Processes["web"] = p },
			`processes.web.cpu is 0; use a whole number from 10 to 8000 (MHz)`},
		{"memory too high", func(s *Spec) { p := s.Processes["web"]; p.Memory = 1 << 20; s.Processes["web"] = p },
			`processes.web.memory is 1048576; use a whole number from 16 to 16384 (MB)`},
		{"scale out of order", func(s *Spec) {
			p := s.Processes["web"]
			p.Scale = Scale{Count: 5, Min: 1, Max: 3}
			s.Processes["web"] = p
		},
			`processes.web.scale has min 1, count 5 and max 3; they must satisfy min <= count <= max`},
		{"scale zero", func(s *Spec) { p := s.Processes["web"]; p.Scale = Scale{}; s.Processes["web"] = p },
			"processes.web.scale.count is 0; use a whole number from 1 to 100\n" +
				"processes.web.scale.min is 0; use a whole number from 1 to 100\n" +
				"processes.web.scale.max is 0; use a whole number from 1 to 100"},
		{"to zero without target", func(s *Spec) {
			p := s.Processes["web"]
			p.Scale = Scale{Count: 1, Min: 0, Max: 2, ToZero: true}
			s.Processes["web"] = p
		},
			`processes.web.scale.min is 0, which lets the process go to zero instances and needs a target to wake on; add target_inflight, target_rps or target_p95, or use a min of at least 1`},
		{"autoscale targets out of range", func(s *Spec) {
			p := s.Processes["web"]
			p.Scale = Scale{Count: 1, Min: 1, Max: 2, TargetInflight: -1, TargetP95: time.Hour, Idle: time.Minute}
			s.Processes["web"] = p
		},
			"processes.web.scale.target_inflight is -1; use a whole number from 1 to 10000 (requests in flight per instance)\n" +
				"processes.web.scale.target_p95 is 1h; use a duration from 10ms to 1m\n" +
				"processes.web.scale.idle is set but min is not 0; idle is the wait before scaling to zero, so set min: 0, or remove idle"},
		{"target on worker", func(s *Spec) {
			p := proc(sh("./work"))
			p.Scale = Scale{Count: 1, Min: 1, Max: 3, TargetRPS: 5}
			s.Processes["worker"] = p
		},
			`processes.worker.scale.target_rps is set on worker, but only web autoscales (its signals are the router's traffic); remove the target, or give worker a fixed count`},
		{"empty release", func(s *Spec) { s.Release = Command{} },
			`release is empty; write the command to run, or remove the key`},
		{"health path", func(s *Spec) { s.Health.Path = "" },
			`health.path is ""; it must start with "/", e.g. /healthz`},
		{"health interval", func(s *Spec) { s.Health.Interval = time.Hour },
			`health.interval is 1h; use a duration from 1s to 5m`},
		{"health timeout above interval", func(s *Spec) { s.Health.Timeout = 3 * time.Second },
			`health.timeout is 3s, longer than the interval of 2s; make it at most the interval`},
		{"env key", func(s *Spec) { s.Env["lower"] = "x" },
			`env has the invalid name "lower"; use upper-case letters, digits and underscores, not starting with a digit (e.g. LOG_LEVEL)`},
		{"env reserved", func(s *Spec) { s.Env["PAAS_X"] = "x" },
			`env sets PAAS_X, which the platform sets itself; remove it or choose another name`},
		{"env value with nul", func(s *Spec) { s.Env["A"] = "\x00" },
			`env.A contains a NUL byte ("\0"); remove it`},
		{"unknown addon", func(s *Spec) { s.Addons = []string{"kafka"} },
			`addons[0] is "kafka"; use one of postgres, redis`},
		{"duplicate addon", func(s *Spec) { s.Addons = []string{"redis", "redis"} },
			`addons[1] lists "redis" again; list each add-on once`},
		{"empty strategy", func(s *Spec) { s.Deploy.Strategy = "" },
			`deploy.strategy is ""; use one of blue-green, canary, rolling`},
		{"canary without strategy", func(s *Spec) { s.Deploy.Canary = &Canary{Weight: 10, Steps: []int{10, 100}, Interval: time.Second} },
			`deploy.canary is set but the strategy is "blue-green"; set strategy: canary, or remove canary`},
		{"canary values", func(s *Spec) {
			s.Deploy = Deploy{Strategy: StrategyCanary, Canary: &Canary{Weight: 0, Steps: []int{50, 60}, Interval: 0}}
		}, "deploy.canary.weight is 0; use a whole number from 1 to 100 (percent)\n" +
			"deploy.canary.steps ends at 60; list rising percentages that end at 100, e.g. [10, 50, 100]\n" +
			"deploy.canary.interval is 0s; use a duration from 1s to 1h\n" +
			"deploy.canary.weight is 0 but the first step is 50; make them equal, or give only steps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults(tc.mod)
			err := s.Validate()
			if got := paas.ErrorMessage(err); got != tc.want {
				t.Errorf("Validate() = %q; want %q", got, tc.want)
			}
			if err != nil && paas.ErrorCode(err) != paas.EINVALID {
				t.Errorf("Validate() code = %q; want %q", paas.ErrorCode(err), paas.EINVALID)
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	var s *Spec
	if err := s.Validate(); paas.ErrorCode(err) != paas.EINVALID {
		t.Errorf("(*Spec)(nil).Validate() = %v; want an EINVALID error", err)
	}
}

// TestValidateOrder checks that problems come in a fixed order whatever
// the order of map iteration.
func TestValidateOrder(t *testing.T) {
	s := defaults(func(s *Spec) {
		for _, name := range []string{"b", "a", "c", "web"} {
			s.Processes[name] = Process{Command: sh("x")}
		}
		s.Env = map[string]string{"z": "", "y": "", "x": ""}
	})
	first := s.Validate().Error()
	for range 20 {
		if diff := cmp.Diff(first, s.Validate().Error()); diff != "" {
			t.Fatalf("Validate() changed between calls (-first +now):\n%s", diff)
		}
	}
	if !strings.HasPrefix(first, "processes.web.cpu") {
		t.Errorf("Validate() starts with %q; want web first", strings.SplitN(first, "\n", 2)[0])
	}
}
