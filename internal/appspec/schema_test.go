package appspec

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const schemaFile = "../../docs/app-yml.schema.json"

// schemaFacts is what the JSON Schema says about app.yml, by dotted path:
// "*" stands for any key of a map and "[]" for any item of a list.
type schemaFacts struct {
	keys     []string            // every named key
	enums    map[string][]string // closed sets of strings
	bounds   map[string][2]int   // minimum and maximum of integers
	defaults map[string]string   // documented defaults, formatted
}

// TestSchemaMatchesParser walks the JSON Schema and the parser's own tables
// side by side, so that neither can grow a key, a value, a limit or a
// default the other lacks.
func TestSchemaMatchesParser(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(readFile(t, schemaFile), &root); err != nil {
		t.Fatalf("%s is not valid JSON: %v", schemaFile, err)
	}
	got := schemaFacts{enums: map[string][]string{}, bounds: map[string][2]int{}, defaults: map[string]string{}}
	w := schemaWalker{root: root, facts: &got}
	w.walk(root, "")

	want := parserFacts()
	sortStrings := cmpopts.SortSlices(func(a, b string) bool { return a < b })
	if diff := cmp.Diff(want.keys, got.keys, sortStrings); diff != "" {
		t.Errorf("keys differ (-parser +schema):\n%s", diff)
	}
	if diff := cmp.Diff(want.enums, got.enums); diff != "" {
		t.Errorf("enums differ (-parser +schema):\n%s", diff)
	}
	if diff := cmp.Diff(want.bounds, got.bounds); diff != "" {
		t.Errorf("integer bounds differ (-parser +schema):\n%s", diff)
	}
	if diff := cmp.Diff(want.defaults, got.defaults); diff != "" {
		t.Errorf("defaults differ (-parser +schema):\n%s", diff)
	}
}

// parserFacts states the same facts from the parser's tables and constants.
func parserFacts() schemaFacts {
	var keys []string
	for path, names := range knownKeys {
		for _, name := range names {
			keys = append(keys, join(path, name))
		}
	}
	count := [2]int{minCount, maxCount}
	weight := [2]int{minWeight, maxWeight}
	d := Default()
	canary := &Canary{}
	canary.canonicalize()
	return schemaFacts{
		keys: keys,
		enums: map[string][]string{
			"build.stack":     stacks,
			"addons[]":        addonNames,
			"deploy.strategy": strategies,
		},
		bounds: map[string][2]int{
			"processes.*.cpu":                   {minCPU, maxCPU},
			"processes.*.memory":                {minMemory, maxMemory},
			"processes.*.scale":                 count,
			"processes.*.scale.count":           count,
			"processes.*.scale.min":             {0, maxCount},
			"processes.*.scale.max":             count,
			"processes.*.scale.target_inflight": {1, maxTargetInflight},
			"processes.*.scale.target_rps":      {1, maxTargetRPS},
			"deploy.canary.weight":              weight,
			"deploy.canary.steps[]":             weight,
		},
		defaults: map[string]string{
			"processes.*.cpu":        fmt.Sprint(d.Processes["web"].CPU),
			"processes.*.memory":     fmt.Sprint(d.Processes["web"].Memory),
			"processes.*.scale":      fmt.Sprint(d.Processes["web"].Scale.Count),
			"processes.*.scale.idle": formatDuration(paas.DefaultIdleTimeout),
			"health.path":            d.Health.Path,
			"health.interval":        formatDuration(d.Health.Interval),
			"health.timeout":         formatDuration(d.Health.Timeout),
			"deploy.strategy":        d.Deploy.Strategy,
			"deploy.canary.weight":   fmt.Sprint(canary.Weight),
			"deploy.canary.interval": formatDuration(canary.Interval),
		},
	}
}

// schemaWalker collects facts from a JSON Schema, following local $refs.
type schemaWalker struct {
	root  map[string]any
	facts *schemaFacts
}

func (w schemaWalker) walk(node any, path string) {
	s, ok := node.(map[string]any)
	if !ok {
		return
	}
	if ref, ok := s["$ref"].(string); ok {
		w.walk(w.resolve(ref), path)
	}
	for name, sub := range mapOf(s["properties"]) {
		w.facts.keys = append(w.facts.keys, join(path, name))
		w.walk(sub, join(path, name))
	}
	w.walk(s["additionalProperties"], join(path, "*"))
	for _, sub := range mapOf(s["patternProperties"]) {
		w.walk(sub, join(path, "*"))
	}
	w.walk(s["items"], path+"[]")
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		for _, sub := range listOf(s[k]) {
			w.walk(sub, path)
		}
	}
	w.record(s, path)
}

// record notes the enum, integer bounds and default of the schema s.
func (w schemaWalker) record(s map[string]any, path string) {
	if enum := listOf(s["enum"]); enum != nil {
		for _, v := range enum {
			w.facts.enums[path] = append(w.facts.enums[path], fmt.Sprint(v))
		}
	}
	lo, hasLo := s["minimum"].(float64)
	hi, hasHi := s["maximum"].(float64)
	if s["type"] == "integer" && hasLo && hasHi {
		w.facts.bounds[path] = [2]int{int(lo), int(hi)}
	}
	if def, ok := s["default"]; ok {
		w.facts.defaults[path] = fmt.Sprint(def)
	}
}

func (w schemaWalker) resolve(ref string) any {
	var node any = w.root
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		node = mapOf(node)[part]
	}
	return node
}

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }
func listOf(v any) []any         { l, _ := v.([]any); return l }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// TestSchemaPatterns holds the schema's patterns for process types, env
// names and durations to the parser's rules, on the same samples.
func TestSchemaPatterns(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(readFile(t, schemaFile), &root); err != nil {
		t.Fatal(err)
	}
	w := schemaWalker{root: root}
	pattern := func(ref string) *regexp.Regexp {
		return regexp.MustCompile(w.resolve(ref).(string))
	}
	tests := []struct {
		name    string
		pattern *regexp.Regexp
		parser  func(string) bool
		samples []string
	}{
		{
			"process type",
			pattern("#/properties/processes/propertyNames/pattern"),
			func(s string) bool { return s == releaseKey || processNameProblem(s) == "" },
			[]string{"web", "worker-2", "a", "a-b", "", "Web", "1web", "web-", "my_worker", "wéb", strings.Repeat("a", 30), strings.Repeat("a", 31)},
		},
		{
			"env name",
			pattern("#/properties/env/propertyNames/pattern"),
			func(s string) bool { return isEnvName(s) },
			[]string{"A", "_", "LOG_LEVEL", "X1", "", "1X", "lower", "A-B", "É"},
		},
		{
			"duration",
			pattern("#/$defs/duration/pattern"),
			func(s string) bool { d, err := time.ParseDuration(s); return err == nil && d >= 0 && s != "0" },
			[]string{"2s", "1m30s", "1.5s", ".5s", "500ms", "1h", "10us", "2", "2 seconds", "-1s", "s", "", "1d"},
		},
	}
	for _, tc := range tests {
		for _, sample := range tc.samples {
			if got, want := tc.pattern.MatchString(sample), tc.parser(sample); got != want {
				t.Errorf("%s %q: schema pattern matches = %v; parser accepts = %v", tc.name, sample, got, want)
			}
		}
	}
}
