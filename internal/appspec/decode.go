package appspec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder turns the YAML tree of app.yml into a Spec, checking each value
// where it stands so that every problem has a line and column. It leaves
// defaults to Canonicalize; where a rule spans several keys it checks a
// canonical copy of the values.
type decoder struct {
	problems problems
}

// field is one entry of a mapping.
type field struct {
	name       string
	key, value *yaml.Node
}

// fields returns the entries of the mapping n at path, reporting keys that
// are not names, duplicates and, unless known is nil, unknown keys. A null
// value counts as an empty mapping; hint says how to write a mapping there.
func (d *decoder) fields(n *yaml.Node, path string, known []string, hint string) []field {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.problems.at(n, "%s must be a mapping, got %s; %s", subject(path), describe(n), hint)
		return nil
	}
	seen := make(map[string]int, len(n.Content)/2)
	var fs []field
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if f, ok := d.field(k, v, path, known, seen); ok {
			fs = append(fs, f)
		}
	}
	return fs
}

// field checks one key of a mapping and records it in seen.
func (d *decoder) field(k, v *yaml.Node, path string, known []string, seen map[string]int) (field, bool) {
	if k.Kind != yaml.ScalarNode {
		d.problems.at(k, "keys%s must be plain names, got %s; write name: value", in(path), describe(k))
		return field{}, false
	}
	name := k.Value
	if known != nil && !slices.Contains(known, name) {
		d.problems.at(k, "%s", unknownKey(name, path, known))
		return field{}, false
	}
	if line, dup := seen[name]; dup {
		d.problems.at(k, "duplicate key %q%s, first set on line %d; keep one of them", clip(name), in(path), line)
		return field{}, false
	}
	seen[name] = k.Line
	return field{name: name, key: k, value: v}, true
}

// unknownKey says that name is not one of known, suggesting the closest
// key, or the mappings where name is a key.
func unknownKey(name, path string, known []string) string {
	if near := closest(name, known); near != "" {
		return fmt.Sprintf("unknown key %q%s; did you mean %q?", clip(name), in(path), near)
	}
	if homes := homesOf(name, path); len(homes) > 0 {
		return fmt.Sprintf("unknown key %q%s; it belongs under %s", clip(name), in(path), strings.Join(homes, " or "))
	}
	return fmt.Sprintf("unknown key %q%s; use one of %s", clip(name), in(path), strings.Join(known, ", "))
}

// homesOf returns the mappings other than the one at path that have a key
// name, as "build:" or "processes.<type>:". A process type at the top level
// belongs under processes.
func homesOf(name, path string) []string {
	if path == "" && (name == webProcess || name == "worker") {
		return []string{"processes:"}
	}
	var homes []string
	for p, keys := range knownKeys {
		if p != "" && p != path && slices.Contains(keys, name) {
			homes = append(homes, strings.ReplaceAll(p, "*", "<type>")+":")
		}
	}
	slices.Sort(homes)
	return homes
}

// in names the mapping at path in a message about one of its keys.
func in(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

// subject names the value at path as the subject of a sentence.
func subject(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// spec decodes the root node of app.yml; nil stands for an empty file.
func (d *decoder) spec(root *yaml.Node) *Spec {
	s := &Spec{}
	if root == nil {
		return s
	}
	var health *yaml.Node
	for _, f := range d.fields(root, "", knownKeys[""], "write keys such as processes: at the top level, without a leading \"-\"") {
		switch f.name {
		case "build":
			s.Build = d.build(f.value)
		case "processes":
			s.Processes = d.processes(f.value)
		case "release":
			s.Release = d.command(f.value, "release")
		case "health":
			s.Health, health = d.health(f.value), f.key
		case "env":
			s.Env = d.env(f.value)
		case "addons":
			s.Addons = d.addons(f.value)
		case "deploy":
			s.Deploy = d.deploy(f.value)
		}
	}
	if _, web := s.Processes[webProcess]; health != nil && len(s.Processes) > 0 && !web {
		d.problems.at(health, "health checks the web process, but processes has no web; remove health, or add a web process")
	}
	return s
}

func (d *decoder) build(n *yaml.Node) Build {
	var b Build
	keys := map[string]*yaml.Node{}
	for _, f := range d.fields(n, "build", knownKeys["build"], "write keys such as dockerfile: indented below it") {
		keys[f.name] = f.key
		switch f.name {
		case "dockerfile":
			b.Dockerfile = d.dockerfile(f.value)
		case "stack":
			b.Stack, _ = d.oneOf(f.value, "build.stack", stacks)
		case "command":
			b.Command = d.command(f.value, "build.command")
		}
	}
	if p := buildProblem(b); p != "" {
		at := keys["command"]
		if b.Dockerfile != "" && b.Stack != "" {
			at = later(keys["dockerfile"], keys["stack"])
		}
		d.problems.at(at, "build %s", p)
	}
	return b
}

func (d *decoder) dockerfile(n *yaml.Node) string {
	s, ok := d.str(n, "build.dockerfile", "")
	if !ok {
		return ""
	}
	if p := dockerfileProblem(s); p != "" {
		d.problems.at(n, "build.dockerfile %s", p)
		return ""
	}
	return s
}

func (d *decoder) processes(n *yaml.Node) map[string]Process {
	fs := d.fields(n, "processes", nil, "write each process type, such as web:, indented below it")
	ps := make(map[string]Process, len(fs))
	for _, f := range fs {
		if p := processNameProblem(f.name); p != "" {
			d.problems.at(f.key, "processes %s", p)
			continue
		}
		ps[f.name] = d.process(f)
	}
	return ps
}

func (d *decoder) process(f field) Process {
	path := "processes." + f.name
	hint := "write keys such as command: indented below it"
	if isScalar(f.value, strTag) {
		hint = fmt.Sprintf("write command: %q indented below %s", clip(f.value.Value), clip(f.name))
	}
	var p Process
	hasCommand := false
	for _, g := range d.fields(f.value, path, knownKeys["processes.*"], hint) {
		switch g.name {
		case "command":
			p.Command, hasCommand = d.command(g.value, path+".command"), true
		case "cpu":
			p.CPU, _ = d.intIn(g.value, path+".cpu", minCPU, maxCPU, " (MHz)")
		case "memory":
			p.Memory, _ = d.intIn(g.value, path+".memory", minMemory, maxMemory, " (MB)")
		case "scale":
			p.Scale = d.scale(g.value, path+".scale", f.name)
		}
	}
	if !hasCommand && (f.value.Kind == yaml.MappingNode || isNull(f.value)) {
		if msg := missingCommandProblem(f.name, nil); msg != "" {
			d.problems.at(f.key, "%s %s", path, msg)
		}
	}
	return p
}

// scale reads a count, or a mapping of a count, autoscaling bounds and
// targets, for the process type name.
func (d *decoder) scale(n *yaml.Node, path, name string) Scale {
	if n.Kind != yaml.MappingNode {
		count, _ := d.intIn(n, path, minCount, maxCount, " or a mapping such as {count: 2, min: 1, max: 5}")
		return Scale{Count: count}
	}
	var s Scale
	values := map[string]*yaml.Node{}
	before := len(d.problems)
	for _, f := range d.fields(n, path, knownKeys["processes.*.scale"], "") {
		values[f.name] = f.value
		d.scaleField(&s, f, path+"."+f.name)
	}
	if len(d.problems) > before {
		return s
	}
	c := s
	c.canonicalize()
	for _, r := range scaleRules(name, c) {
		if r.problem != "" {
			d.problems.at(cmp.Or(values[r.key], n), "%s %s", strings.TrimSuffix(path+"."+r.key, "."), r.problem)
			return s
		}
	}
	return s
}

// scaleField reads one key of a scale mapping into s.
func (d *decoder) scaleField(s *Scale, f field, path string) {
	switch f.name {
	case "count":
		s.Count, _ = d.intIn(f.value, path, minCount, maxCount, "")
	case "min":
		var ok bool
		s.Min, ok = d.intIn(f.value, path, 0, maxCount, " (0 lets web scale to zero)")
		s.ToZero = ok && s.Min == 0
	case "max":
		s.Max, _ = d.intIn(f.value, path, minCount, maxCount, "")
	case "target_inflight":
		s.TargetInflight, _ = d.intIn(f.value, path, 1, maxTargetInflight, " (requests in flight per instance)")
	case "target_rps":
		s.TargetRPS, _ = d.intIn(f.value, path, 1, maxTargetRPS, " (requests per second per instance)")
	case "target_p95":
		s.TargetP95, _ = d.durationIn(f.value, path, minTargetP95, maxTargetP95)
	case "idle":
		s.Idle, _ = d.durationIn(f.value, path, minIdle, maxIdle)
	}
}

func (d *decoder) health(n *yaml.Node) Health {
	var h Health
	var timeout *yaml.Node
	before := len(d.problems)
	for _, f := range d.fields(n, "health", knownKeys["health"], "write keys such as path: indented below it") {
		switch f.name {
		case "path":
			h.Path = d.healthPath(f.value)
		case "interval":
			h.Interval, _ = d.durationIn(f.value, "health.interval", minHealthInterval, maxHealthInterval)
		case "timeout":
			h.Timeout, _ = d.durationIn(f.value, "health.timeout", minHealthTimeout, maxHealthInterval)
			timeout = f.value
		}
	}
	c := h
	c.canonicalize()
	if p := timeoutProblem(c); p != "" && timeout != nil && len(d.problems) == before {
		d.problems.at(timeout, "health.timeout %s", p)
	}
	return h
}

func (d *decoder) healthPath(n *yaml.Node) string {
	s, ok := d.str(n, "health.path", "")
	if !ok {
		return ""
	}
	if p := healthPathProblem(s); p != "" {
		d.problems.at(n, "health.path %s", p)
		return ""
	}
	return s
}

func (d *decoder) env(n *yaml.Node) map[string]string {
	fs := d.fields(n, "env", nil, "write NAME: value pairs indented below it")
	env := make(map[string]string, len(fs))
	for _, f := range fs {
		if p := envKeyProblem(f.name); p != "" {
			d.problems.at(f.key, "env %s", p)
			continue
		}
		v, ok := d.str(f.value, "env."+f.name, "")
		if p := envValueProblem(v); ok && p != "" {
			d.problems.at(f.value, "env.%s %s", f.name, p)
		}
		env[f.name] = v
	}
	return env
}

func (d *decoder) addons(n *yaml.Node) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.problems.at(n, "addons must be a list, got %s; write e.g. addons: [postgres, redis]", describe(n))
		return nil
	}
	addons := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		path := fmt.Sprintf("addons[%d]", i)
		a, ok := d.oneOf(item, path, addonNames)
		if ok && slices.Contains(addons, a) {
			d.problems.at(item, "%s %s", path, duplicateAddonProblem(a))
		}
		addons = append(addons, a)
	}
	return addons
}

func (d *decoder) deploy(n *yaml.Node) Deploy {
	var dep Deploy
	var canary *yaml.Node
	before := len(d.problems)
	for _, f := range d.fields(n, "deploy", knownKeys["deploy"], "write keys such as strategy: indented below it") {
		switch f.name {
		case "strategy":
			dep.Strategy, _ = d.oneOf(f.value, "deploy.strategy", strategies)
		case "canary":
			dep.Canary, canary = d.canary(f.value), f.key
		}
	}
	c := dep
	c.Strategy = cmp.Or(c.Strategy, defaultStrategy)
	if p := canaryStrategyProblem(c); p != "" && len(d.problems) == before {
		d.problems.at(canary, "deploy.canary %s", p)
	}
	return dep
}

func (d *decoder) canary(n *yaml.Node) *Canary {
	c := &Canary{}
	var weight *yaml.Node
	before := len(d.problems)
	for _, f := range d.fields(n, "deploy.canary", knownKeys["deploy.canary"], "write keys such as steps: indented below it") {
		switch f.name {
		case "weight":
			c.Weight, _ = d.intIn(f.value, "deploy.canary.weight", minWeight, maxWeight, " (percent)")
			weight = f.value
		case "steps":
			c.Steps = d.steps(f.value)
		case "interval":
			c.Interval, _ = d.durationIn(f.value, "deploy.canary.interval", minCanaryInterval, maxCanaryInterval)
		}
	}
	canon := *c
	canon.canonicalize()
	if p := weightStepProblem(canon); p != "" && weight != nil && len(d.problems) == before {
		d.problems.at(weight, "deploy.canary.weight %s", p)
	}
	return c
}

func (d *decoder) steps(n *yaml.Node) []int {
	if n.Kind != yaml.SequenceNode {
		d.problems.at(n, "deploy.canary.steps must be a list, got %s; write e.g. steps: [10, 50, 100]", describe(n))
		return nil
	}
	steps := make([]int, 0, len(n.Content))
	before := len(d.problems)
	for i, item := range n.Content {
		w, _ := d.intIn(item, fmt.Sprintf("deploy.canary.steps[%d]", i), minWeight, maxWeight, " (percent)")
		steps = append(steps, w)
	}
	if p := stepsProblem(steps); p != "" && len(d.problems) == before {
		d.problems.at(n, "deploy.canary.steps %s", p)
	}
	return steps
}

// later returns whichever of a and b comes later in the file.
func later(a, b *yaml.Node) *yaml.Node {
	if b.Line > a.Line || b.Line == a.Line && b.Column > a.Column {
		return b
	}
	return a
}
