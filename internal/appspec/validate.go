package appspec

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gitpaas/paas"
)

// Validate reports every rule that a canonical spec breaks, as one
// paas.EINVALID error with a line per problem, in a fixed order. Call
// Canonicalize first: Validate does not treat zero values as defaults.
// Parse and ParseProcfile report the same problems with their place in the
// file.
func (s *Spec) Validate() error {
	if s == nil {
		return paas.Errorf(paas.EINVALID, "app spec is missing; parse app.yml or start from Default")
	}
	var v validator
	v.build(s.Build)
	v.processes(s.Processes)
	v.check("release", commandProblem(s.Release, true))
	v.health(s.Health)
	v.env(s.Env)
	v.addons(s.Addons)
	v.deploy(s.Deploy)
	if len(v.problems) == 0 {
		return nil
	}
	return paas.Errorf(paas.EINVALID, "%s", strings.Join(v.problems, "\n"))
}

// validator collects the problems of a spec as "path problem" lines.
type validator struct{ problems []string }

func (v *validator) check(path, problem string) {
	if problem != "" {
		v.problems = append(v.problems, path+" "+problem)
	}
}

func (v *validator) build(b Build) {
	if b.Dockerfile != "" {
		v.check("build.dockerfile", dockerfileProblem(b.Dockerfile))
	}
	if b.Stack != "" {
		v.check("build.stack", oneOfProblem(b.Stack, stacks))
	}
	v.check("build.command", commandProblem(b.Command, true))
	v.check("build", buildProblem(b))
}

func (v *validator) processes(ps map[string]Process) {
	s := Spec{Processes: ps}
	for _, name := range s.ProcessTypes() {
		path := "processes." + clip(name)
		p := ps[name]
		v.check("processes", processNameProblem(name))
		v.check(path+".command", commandProblem(p.Command, true))
		v.check(path, missingCommandProblem(name, p.Command))
		v.check(path+".cpu", rangeProblem(p.CPU, minCPU, maxCPU, " (MHz)"))
		v.check(path+".memory", rangeProblem(p.Memory, minMemory, maxMemory, " (MB)"))
		v.scale(path+".scale", name, p.Scale)
	}
}

func (v *validator) scale(path, name string, s Scale) {
	v.check(path+".count", rangeProblem(s.Count, minCount, maxCount, ""))
	lo := minCount
	if s.ToZero {
		lo = 0
	}
	v.check(path+".min", rangeProblem(s.Min, lo, maxCount, ""))
	v.check(path+".max", rangeProblem(s.Max, minCount, maxCount, ""))
	if s.TargetInflight != 0 {
		v.check(path+".target_inflight", rangeProblem(s.TargetInflight, 1, maxTargetInflight, " (requests in flight per instance)"))
	}
	if s.TargetRPS != 0 {
		v.check(path+".target_rps", rangeProblem(s.TargetRPS, 1, maxTargetRPS, " (requests per second per instance)"))
	}
	if s.TargetP95 != 0 {
		v.check(path+".target_p95", durationProblem(s.TargetP95, minTargetP95, maxTargetP95))
	}
	if s.Idle != 0 {
		v.check(path+".idle", durationProblem(s.Idle, minIdle, maxIdle))
	}
	for _, r := range scaleRules(name, s) {
		v.check(strings.TrimSuffix(path+"."+r.key, "."), r.problem)
	}
}

// scaleRule is a rule that spans the keys of a scale mapping, reported at
// key ("" for the mapping itself).
type scaleRule struct{ key, problem string }

// scaleRules checks a canonical scale of the process type name across its
// keys, in the order they are reported.
func scaleRules(name string, s Scale) []scaleRule {
	return []scaleRule{
		{"", scaleOrderProblem(s)},
		{targetKey(s), targetProcessProblem(name, s)},
		{"min", toZeroProblem(s)},
		{"idle", idleProblem(s)},
	}
}

func (v *validator) health(h Health) {
	v.check("health.path", healthPathProblem(h.Path))
	v.check("health.interval", durationProblem(h.Interval, minHealthInterval, maxHealthInterval))
	v.check("health.timeout", durationProblem(h.Timeout, minHealthTimeout, maxHealthInterval))
	v.check("health.timeout", timeoutProblem(h))
}

func (v *validator) env(env map[string]string) {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v.check("env", envKeyProblem(k))
		v.check("env."+clip(k), envValueProblem(env[k]))
	}
}

func (v *validator) addons(addons []string) {
	for i, a := range addons {
		path := fmt.Sprintf("addons[%d]", i)
		v.check(path, oneOfProblem(a, addonNames))
		if slices.Contains(addons[:i], a) {
			v.check(path, duplicateAddonProblem(a))
		}
	}
}

func (v *validator) deploy(d Deploy) {
	v.check("deploy.strategy", oneOfProblem(d.Strategy, strategies))
	v.check("deploy.canary", canaryStrategyProblem(d))
	if c := d.Canary; c != nil {
		v.check("deploy.canary.weight", rangeProblem(c.Weight, minWeight, maxWeight, " (percent)"))
		v.check("deploy.canary.steps", stepsProblem(c.Steps))
		v.check("deploy.canary.interval", durationProblem(c.Interval, minCanaryInterval, maxCanaryInterval))
		v.check("deploy.canary.weight", weightStepProblem(*c))
	}
}

// The rules. Each returns "" when the value is fine and otherwise the rest
// of a sentence that starts with the path of the value: what is wrong, then
// what to do.

func rangeProblem(n, lo, hi int, unit string) string {
	if n >= lo && n <= hi {
		return ""
	}
	return fmt.Sprintf("is %d; use a whole number from %d to %d%s", n, lo, hi, unit)
}

func durationProblem(d, lo, hi time.Duration) string {
	if d >= lo && d <= hi {
		return ""
	}
	return fmt.Sprintf("is %s; use a duration from %s to %s", formatDuration(d), formatDuration(lo), formatDuration(hi))
}

// formatDuration writes d as people do: 5m rather than 5m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

func oneOfProblem(s string, allowed []string) string {
	if slices.Contains(allowed, s) {
		return ""
	}
	if near := closest(s, allowed); near != "" {
		return fmt.Sprintf("is %q; did you mean %q? (use one of %s)", clip(s), near, strings.Join(allowed, ", "))
	}
	return fmt.Sprintf("is %q; use one of %s", clip(s), strings.Join(allowed, ", "))
}

// processNameProblem holds process types to DNS labels, since they name
// Nomad task groups and services.
func processNameProblem(name string) string {
	const hint = "name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)"
	switch {
	case name == releaseKey:
		return `has a process type named "release"; the release command is the top-level release key, not a process`
	case !isLabel(name, maxProcessNameLen):
		return fmt.Sprintf("has an invalid process type %q; %s", clip(name), hint)
	}
	return ""
}

// isLabel reports whether s is a DNS label of lower-case letters, digits
// and dashes that starts with a letter, of at most maxLen bytes.
func isLabel(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen || s[0] < 'a' || s[0] > 'z' || strings.HasSuffix(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// commandProblem checks a command in exec form. A nil command is fine when
// optional; an empty one that is not nil is not.
func commandProblem(c Command, optional bool) string {
	switch {
	case c == nil && optional:
		return ""
	case len(c) == 0 || strings.TrimSpace(c[0]) == "":
		return "is empty; write the command to run, or remove the key"
	case len(c) == 3 && c[0] == "/bin/sh" && c[1] == "-c" && strings.TrimSpace(c[2]) == "":
		return "is empty; write the command to run, or remove the key"
	}
	for _, arg := range c {
		if strings.ContainsRune(arg, 0) {
			return `contains a NUL byte ("\0"); remove it`
		}
	}
	return ""
}

// missingCommandProblem lets only web fall back to the image's CMD: two
// process types running the same CMD is almost always a mistake.
func missingCommandProblem(name string, c Command) string {
	if c != nil || name == webProcess {
		return ""
	}
	return "has no command; only web may run the image's CMD, so add command: under " + clip(name)
}

func scaleOrderProblem(s Scale) string {
	if s.Min <= s.Count && s.Count <= s.Max {
		return ""
	}
	return fmt.Sprintf("has min %d, count %d and max %d; they must satisfy min <= count <= max", s.Min, s.Count, s.Max)
}

// targetKey names the first target s sets, where a problem with targets
// is reported.
func targetKey(s Scale) string {
	switch {
	case s.TargetInflight != 0:
		return "target_inflight"
	case s.TargetRPS != 0:
		return "target_rps"
	}
	return "target_p95"
}

// targetProcessProblem keeps targets to web: the signals are the router's
// traffic, which only web receives.
func targetProcessProblem(name string, s Scale) string {
	if name == webProcess || !s.Autoscaled() {
		return ""
	}
	return fmt.Sprintf("is set on %s, but only web autoscales (its signals are the router's traffic); remove the target, or give %s a fixed count", clip(name), clip(name))
}

func toZeroProblem(s Scale) string {
	switch {
	case s.ToZero && s.Min != 0:
		return fmt.Sprintf("is %d but the process may go to zero; use min: 0, or unset to_zero", s.Min)
	case s.ToZero && !s.Autoscaled():
		return "is 0, which lets the process go to zero instances and needs a target to wake on; add target_inflight, target_rps or target_p95, or use a min of at least 1"
	}
	return ""
}

func idleProblem(s Scale) string {
	if s.Idle == 0 || s.ToZero {
		return ""
	}
	return "is set but min is not 0; idle is the wait before scaling to zero, so set min: 0, or remove idle"
}

func dockerfileProblem(p string) string {
	const hint = "give the path relative to the repository root, e.g. docker/Dockerfile"
	switch {
	case strings.TrimSpace(p) == "":
		return "is empty; " + hint + ", or remove the key"
	case path.Clean(p) == ".":
		return fmt.Sprintf("is %q, the repository root; name the Dockerfile itself, e.g. docker/Dockerfile", clip(p))
	case strings.HasPrefix(p, "/"):
		return fmt.Sprintf("is the absolute path %q; %s", clip(p), hint)
	case slices.Contains(strings.Split(p, "/"), ".."):
		return fmt.Sprintf("is %q, which leaves the repository through \"..\"; %s", clip(p), hint)
	case strings.ContainsRune(p, '\\'):
		return fmt.Sprintf("is %q; separate directories with \"/\", e.g. docker/Dockerfile", clip(p))
	case strings.ContainsRune(p, 0):
		return `contains a NUL byte ("\0"); remove it`
	}
	return ""
}

func buildProblem(b Build) string {
	switch {
	case b.Dockerfile != "" && b.Stack != "":
		return "sets both dockerfile and stack; keep dockerfile to build with it, or stack to build without one"
	case b.Dockerfile != "" && b.Command != nil:
		return "sets command together with dockerfile; a Dockerfile build runs only the Dockerfile, so move the command into a RUN line"
	}
	return ""
}

func healthPathProblem(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Sprintf("is %q; it must start with \"/\", e.g. /healthz", clip(p))
	case len(p) > maxHealthPathLen:
		return fmt.Sprintf("is %d bytes long; use a path of at most %d", len(p), maxHealthPathLen)
	case strings.IndexFunc(p, unicode.IsSpace) >= 0 || strings.IndexFunc(p, unicode.IsControl) >= 0:
		return fmt.Sprintf("is %q; percent-encode spaces and control characters, e.g. %%20", clip(p))
	}
	return ""
}

func timeoutProblem(h Health) string {
	if h.Timeout <= h.Interval {
		return ""
	}
	return fmt.Sprintf("is %s, longer than the interval of %s; make it at most the interval", formatDuration(h.Timeout), formatDuration(h.Interval))
}

// envKeyProblem keeps env to names a shell can export and away from the
// variables the platform sets itself.
func envKeyProblem(k string) string {
	switch {
	case !isEnvName(k):
		return fmt.Sprintf("has the invalid name %q; use upper-case letters, digits and underscores, not starting with a digit (e.g. LOG_LEVEL)", clip(k))
	case k == "PORT" || strings.HasPrefix(k, "PAAS_"):
		return fmt.Sprintf("sets %s, which the platform sets itself; remove it or choose another name", k)
	}
	return ""
}

func isEnvName(k string) bool {
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	for _, r := range k {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func envValueProblem(v string) string {
	if strings.ContainsRune(v, 0) {
		return `contains a NUL byte ("\0"); remove it`
	}
	return ""
}

func duplicateAddonProblem(a string) string {
	return fmt.Sprintf("lists %q again; list each add-on once", clip(a))
}

func canaryStrategyProblem(d Deploy) string {
	if d.Canary == nil || d.Strategy == StrategyCanary {
		return ""
	}
	return fmt.Sprintf("is set but the strategy is %q; set strategy: canary, or remove canary", clip(d.Strategy))
}

func stepsProblem(steps []int) string {
	const hint = "list rising percentages that end at 100, e.g. [10, 50, 100]"
	switch {
	case len(steps) == 0:
		return "is empty; " + hint
	case len(steps) > maxCanarySteps:
		return fmt.Sprintf("has %d steps; use at most %d", len(steps), maxCanarySteps)
	case steps[len(steps)-1] != maxWeight:
		return fmt.Sprintf("ends at %d; %s", steps[len(steps)-1], hint)
	}
	for i, w := range steps {
		if p := rangeProblem(w, minWeight, maxWeight, " (percent)"); p != "" {
			return fmt.Sprintf("has a step that %s", p)
		}
		if i > 0 && w <= steps[i-1] {
			return fmt.Sprintf("goes from %d to %d; %s", steps[i-1], w, hint)
		}
	}
	return ""
}

func weightStepProblem(c Canary) string {
	if len(c.Steps) == 0 || c.Weight == c.Steps[0] {
		return ""
	}
	return fmt.Sprintf("is %d but the first step is %d; make them equal, or give only steps", c.Weight, c.Steps[0])
}

// clip shortens untrusted input before it is echoed back in a message, on a
// rune boundary.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
