package appspec

import (
	"time"

	"github.com/gitpaas/paas"
)

// webProcess is the process type that receives traffic.
const webProcess = "web"

// releaseKey is the Procfile entry that declares the release command rather
// than a process type.
const releaseKey = "release"

// knownKeys lists the keys of every mapping in app.yml, by the dotted path of
// the mapping; "*" stands for any process type. The decoder suggests from it
// and the schema test holds docs/app-yml.schema.json to it.
var knownKeys = map[string][]string{
	"":                  {"build", "processes", "release", "health", "env", "addons", "deploy"},
	"build":             {"dockerfile", "stack", "command"},
	"processes.*":       {"command", "cpu", "memory", "scale"},
	"processes.*.scale": {"count", "min", "max", "target_inflight", "target_rps", "target_p95", "idle"},
	"health":            {"path", "interval", "timeout"},
	"deploy":            {"strategy", "canary"},
	"deploy.canary":     {"weight", "steps", "interval"},
}

// Closed sets of values, by the path of the key that takes them.
var (
	stacks     = []string{StackGo, StackNode, StackPython, StackStatic}
	strategies = []string{StrategyBlueGreen, StrategyCanary, StrategyRolling}
	addonNames = []string{AddonPostgres, AddonRedis}
)

// Defaults, filled in by Canonicalize.
const (
	defaultCPU            = 100
	defaultMemory         = 128
	defaultCount          = 1
	defaultHealthPath     = "/"
	defaultHealthInterval = 2 * time.Second
	defaultHealthTimeout  = 2 * time.Second
	defaultStrategy       = StrategyBlueGreen
	defaultCanaryWeight   = 10
	defaultCanaryInterval = 30 * time.Second
)

// Limits, checked by Validate and the decoder.
const (
	minCPU, maxCPU                       = 10, 8000
	minMemory, maxMemory                 = 16, 16384
	minCount, maxCount                   = 1, 100
	minWeight, maxWeight                 = 1, 100
	maxCanarySteps                       = 10
	maxHealthPathLen                     = 1024
	minHealthInterval, maxHealthInterval = time.Second, 5 * time.Minute
	minHealthTimeout                     = time.Second
	minCanaryInterval, maxCanaryInterval = time.Second, time.Hour
	maxProcessNameLen                    = 30
	// The autoscaling limits are the platform's (paas.AutoscalePolicy).
	maxTargetInflight, maxTargetRPS = paas.MaxTargetInflight, paas.MaxTargetRPS
	minTargetP95, maxTargetP95      = paas.MinTargetP95, paas.MaxTargetP95
	minIdle, maxIdle                = paas.MinIdleTimeout, paas.MaxIdleTimeout
)
