// Package appspec reads app.yml, the file at the root of an app's repository
// that declares how the app is built, which processes it runs and how a new
// release is rolled out, and the Heroku-style Procfile an app may commit
// instead.
//
// Parse and ParseProcfile are strict: every mistake is reported as a
// paas.EINVALID error whose lines read "app.yml:LINE:COL: what is wrong; what
// to do". A parsed Spec has its defaults filled in by Canonicalize and passes
// Validate.
package appspec

import (
	"sort"
	"time"
)

// MaxFileBytes is the largest app.yml or Procfile accepted.
const MaxFileBytes = 64 << 10

// The language stacks an app may be built with when it has no Dockerfile.
const (
	StackGo     = "go"
	StackNode   = "node"
	StackPython = "python"
	StackStatic = "static"
)

// The ways a new release may take over from the current one.
const (
	StrategyBlueGreen = "blue-green"
	StrategyCanary    = "canary"
	StrategyRolling   = "rolling"
)

// The add-ons an app may ask for.
const (
	AddonPostgres = "postgres"
	AddonRedis    = "redis"
)

// Spec is the parsed app.yml (or Procfile) of an app.
type Spec struct {
	Build Build `json:"build"`
	// Processes maps a process type, such as web or worker, to how it runs.
	// Only web receives traffic and is health checked.
	Processes map[string]Process `json:"processes"`
	// Release runs once in a new release's image before it gets traffic,
	// typically to migrate a database. Nil means none.
	Release Command `json:"release,omitempty"`
	Health  Health  `json:"health"`
	// Env holds non-secret default environment variables. Config vars set
	// with the CLI override them.
	Env    map[string]string `json:"env"`
	Addons []string          `json:"addons"`
	Deploy Deploy            `json:"deploy"`
}

// Build says how the image is built. With neither Dockerfile nor Stack the
// builder uses the Dockerfile at the repository root, else the stack it
// detects.
type Build struct {
	// Dockerfile is a slash-separated path relative to the repository root.
	Dockerfile string `json:"dockerfile,omitempty"`
	// Stack is one of the Stack constants.
	Stack string `json:"stack,omitempty"`
	// Command runs during a stack build, after dependencies are installed.
	Command Command `json:"command,omitempty"`
}

// Command is a command line in exec form: the program and its arguments. A
// command written as a single string becomes ["/bin/sh", "-c", string]. Nil
// means no command; for a process, the image's CMD.
type Command []string

// Process says how one process type runs.
type Process struct {
	Command Command `json:"command,omitempty"`
	// CPU is in MHz.
	CPU int `json:"cpu"`
	// Memory is in MB.
	Memory int   `json:"memory"`
	Scale  Scale `json:"scale"`
}

// Scale is how many instances of a process type run. Min and Max bound
// autoscaling; they equal Count unless set. With a target set, the web
// process follows its traffic between Min and Max; ToZero (min: 0 in
// app.yml) lets it go to zero instances after Idle without a request.
type Scale struct {
	Count int `json:"count"`
	Min   int `json:"min"`
	Max   int `json:"max"`
	// TargetInflight is the requests in flight one instance should carry.
	TargetInflight int `json:"target_inflight,omitempty"`
	// TargetRPS is the requests per second one instance should serve.
	TargetRPS int `json:"target_rps,omitempty"`
	// TargetP95 is the 95th percentile latency to keep under.
	TargetP95 time.Duration `json:"target_p95,omitempty"`
	// Idle is how long web sees no request before going to zero; zero
	// means the platform's default. It applies only with ToZero.
	Idle time.Duration `json:"idle,omitempty"`
	// ToZero is set when min is 0, which only a process with a target
	// may declare. Min is then 0 and Count starts at 1.
	ToZero bool `json:"to_zero,omitempty"`
}

// Autoscaled reports whether s sets a target, so that the process follows
// its traffic.
func (s Scale) Autoscaled() bool {
	return s.TargetInflight > 0 || s.TargetRPS > 0 || s.TargetP95 > 0
}

// Health is the HTTP health check of the web process.
type Health struct {
	Path     string        `json:"path"`
	Interval time.Duration `json:"interval"`
	Timeout  time.Duration `json:"timeout"`
}

// Deploy says how a new release takes over from the current one.
type Deploy struct {
	// Strategy is one of the Strategy constants.
	Strategy string `json:"strategy"`
	// Canary is set when, and only when, Strategy is StrategyCanary.
	Canary *Canary `json:"canary,omitempty"`
}

// Canary is the traffic progression of a canary rollout: the new release
// gets Weight percent of the traffic, then each of Steps in turn, Interval
// apart, the last step being 100.
type Canary struct {
	Weight   int           `json:"weight"`
	Steps    []int         `json:"steps"`
	Interval time.Duration `json:"interval"`
}

// Default returns the spec of an app with neither app.yml nor Procfile: a
// web process running the image's CMD, and every default.
func Default() *Spec {
	s := &Spec{}
	s.Canonicalize()
	return s
}

// ProcessTypes returns the names of s's process types, web first and the
// others sorted.
func (s *Spec) ProcessTypes() []string {
	if s == nil {
		return nil
	}
	names := make([]string, 0, len(s.Processes))
	for name := range s.Processes {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == webProcess) != (names[j] == webProcess) {
			return names[i] == webProcess
		}
		return names[i] < names[j]
	})
	return names
}
