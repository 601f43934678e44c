package appspec

import (
	"strings"
	"time"
)

// parseCase is an app.yml and the spec it must give.
type parseCase struct {
	name string
	in   string
	want *Spec
}

// errorCase is an input and the whole message it must be rejected with.
type errorCase struct {
	name string
	in   string
	want string
}

// defaults returns the canonical spec of an app.yml that sets nothing,
// written out rather than computed so that tests hold every default, after
// mod has changed it.
func defaults(mod func(s *Spec)) *Spec {
	s := &Spec{
		Processes: map[string]Process{"web": proc(nil)},
		Health:    Health{Path: "/", Interval: 2 * time.Second, Timeout: 2 * time.Second},
		Env:       map[string]string{},
		Addons:    []string{},
		Deploy:    Deploy{Strategy: "blue-green"},
	}
	if mod != nil {
		mod(s)
	}
	return s
}

// proc returns a process with command c and the default resources.
func proc(c Command) Process {
	return Process{Command: c, CPU: 100, Memory: 128, Scale: Scale{Count: 1, Min: 1, Max: 1}}
}

func sh(cmd string) Command { return Command{"/bin/sh", "-c", cmd} }

var parseCases = []parseCase{
	{"empty file", "", defaults(nil)},
	{"comments only", "# nothing yet\n", defaults(nil)},
	{"null document", "~\n", defaults(nil)},
	{"document markers", "---\nprocesses: {}\n...\n", defaults(nil)},
	{"byte order mark", "\ufeffrelease: ./migrate\n", defaults(func(s *Spec) { s.Release = sh("./migrate") })},
	{"crlf line endings", "processes:\r\n  web:\r\n    command: ./server\r\n", defaults(func(s *Spec) { s.Processes["web"] = proc(sh("./server")) })},
	{"empty sections", "build:\nprocesses:\nhealth:\nenv:\naddons:\ndeploy:\n", defaults(nil)},
	{"empty processes gets default web", "processes: {}\n", defaults(nil)},
	{"web without command runs image cmd", "processes:\n  web:\n", defaults(nil)},
	{"web with only resources", "processes:\n  web: {cpu: 500, memory: 1024}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 500, Memory: 1024, Scale: Scale{Count: 1, Min: 1, Max: 1}}
	})},
	{"string command runs in shell", "processes:\n  web:\n    command: ./server --port $PORT\n", defaults(func(s *Spec) {
		s.Processes["web"] = proc(sh("./server --port $PORT"))
	})},
	{"list command is exec form", "processes:\n  web:\n    command: [./server, --port, \"8080\", \"\"]\n", defaults(func(s *Spec) {
		s.Processes["web"] = proc(Command{"./server", "--port", "8080", ""})
	})},
	{"block scalar command", "processes:\n  web:\n    command: |\n      ./a &&\n      ./b\n", defaults(func(s *Spec) {
		s.Processes["web"] = proc(sh("./a &&\n./b\n"))
	})},
	{"worker only", "processes:\n  worker:\n    command: ./work\n", defaults(func(s *Spec) {
		s.Processes = map[string]Process{"worker": proc(sh("./work"))}
	})},
	{"cpu and memory bounds", "processes:\n  a: {command: x, cpu: 10, memory: 16}\n  b: {command: x, cpu: 8000, memory: 16384}\n", defaults(func(s *Spec) {
		s.Processes = map[string]Process{
			"a": {Command: sh("x"), CPU: 10, Memory: 16, Scale: Scale{Count: 1, Min: 1, Max: 1}},
			"b": {Command: sh("x"), CPU: 8000, Memory: 16384, Scale: Scale{Count: 1, Min: 1, Max: 1}},
		}
	})},
	{"hex and octal numbers", "processes:\n  web: {cpu: 0x64, memory: 0o200}\n", defaults(nil)},
	{"scale count", "processes:\n  web: {scale: 3}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 3, Min: 3, Max: 3}}
	})},
	{"scale mapping", "processes:\n  web:\n    scale: {count: 2, min: 1, max: 5}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 2, Min: 1, Max: 5}}
	})},
	{"scale max only starts at one", "processes:\n  web:\n    scale: {max: 5}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 1, Min: 1, Max: 5}}
	})},
	{"scale min only starts at min", "processes:\n  web:\n    scale: {min: 2}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 2, Min: 2, Max: 2}}
	})},
	{"scale count and min", "processes:\n  web:\n    scale: {count: 3, min: 1}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 3, Min: 1, Max: 3}}
	})},
	{"autoscale targets", "processes:\n  web:\n    scale: {min: 1, max: 10, target_inflight: 20, target_rps: 50, target_p95: 200ms}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 1, Min: 1, Max: 10,
			TargetInflight: 20, TargetRPS: 50, TargetP95: 200 * time.Millisecond}}
	})},
	{"autoscale to zero", "processes:\n  web:\n    scale:\n      min: 0\n      max: 3\n      target_inflight: 5\n      idle: 10m\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 1, Min: 0, Max: 3,
			TargetInflight: 5, Idle: 10 * time.Minute, ToZero: true}}
	})},
	{"autoscale to zero default idle", "processes:\n  web:\n    scale: {min: 0, max: 2, target_p95: 1s}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 1, Min: 0, Max: 2,
			TargetP95: time.Second, ToZero: true}}
	})},
	{"autoscale limits", "processes:\n  web:\n    scale: {max: 100, target_inflight: 10000, target_rps: 1000000, target_p95: 1m}\n", defaults(func(s *Spec) {
		s.Processes["web"] = Process{CPU: 100, Memory: 128, Scale: Scale{Count: 1, Min: 1, Max: 100,
			TargetInflight: 10000, TargetRPS: 1000000, TargetP95: time.Minute}}
	})},
	{"release string", "release: ./migrate\n", defaults(func(s *Spec) { s.Release = sh("./migrate") })},
	{"release list", "release: [./manage, migrate]\n", defaults(func(s *Spec) { s.Release = Command{"./manage", "migrate"} })},
	{"build dockerfile cleaned", "build:\n  dockerfile: ./docker//Dockerfile\n", defaults(func(s *Spec) { s.Build.Dockerfile = "docker/Dockerfile" })},
	{"dockerfile with dots in name", "build: {dockerfile: Dockerfile..prod}\n", defaults(func(s *Spec) { s.Build.Dockerfile = "Dockerfile..prod" })},
	{"build stack and command", "build:\n  stack: go\n  command: make build\n", defaults(func(s *Spec) {
		s.Build = Build{Stack: "go", Command: sh("make build")}
	})},
	{"build command without stack", "build:\n  command: make\n", defaults(func(s *Spec) { s.Build.Command = sh("make") })},
	{"every stack", "build: {stack: static}\n", defaults(func(s *Spec) { s.Build.Stack = "static" })},
	{"health path", "health:\n  path: /healthz?full=1\n", defaults(func(s *Spec) { s.Health.Path = "/healthz?full=1" })},
	{"health short interval shortens default timeout", "health:\n  interval: 1s\n", defaults(func(s *Spec) {
		s.Health.Interval, s.Health.Timeout = time.Second, time.Second
	})},
	{"health long interval keeps default timeout", "health:\n  interval: 1m30s\n", defaults(func(s *Spec) { s.Health.Interval = 90 * time.Second })},
	{"health bounds", "health: {interval: 5m, timeout: 5m}\n", defaults(func(s *Spec) {
		s.Health.Interval, s.Health.Timeout = 5*time.Minute, 5*time.Minute
	})},
	{"env strings", "env:\n  LOG_LEVEL: info\n  _X: \"1\"\n  EMPTY: \"\"\n  DEBUG: 'true'\n", defaults(func(s *Spec) {
		s.Env = map[string]string{"LOG_LEVEL": "info", "_X": "1", "EMPTY": "", "DEBUG": "true"}
	})},
	{"explicit string tag", "env:\n  N: !!str 5\n", defaults(func(s *Spec) { s.Env = map[string]string{"N": "5"} })},
	{"addons", "addons: [redis, postgres]\n", defaults(func(s *Spec) { s.Addons = []string{"redis", "postgres"} })},
	{"addons empty", "addons: []\n", defaults(nil)},
	{"strategy rolling", "deploy:\n  strategy: rolling\n", defaults(func(s *Spec) { s.Deploy.Strategy = "rolling" })},
	{"strategy canary gets default progression", "deploy:\n  strategy: canary\n", defaults(func(s *Spec) {
		s.Deploy = Deploy{Strategy: "canary", Canary: &Canary{Weight: 10, Steps: []int{10, 100}, Interval: 30 * time.Second}}
	})},
	{"canary weight fills steps", "deploy:\n  strategy: canary\n  canary: {weight: 25}\n", defaults(func(s *Spec) {
		s.Deploy = Deploy{Strategy: "canary", Canary: &Canary{Weight: 25, Steps: []int{25, 100}, Interval: 30 * time.Second}}
	})},
	{"canary weight 100 is one step", "deploy:\n  strategy: canary\n  canary: {weight: 100}\n", defaults(func(s *Spec) {
		s.Deploy = Deploy{Strategy: "canary", Canary: &Canary{Weight: 100, Steps: []int{100}, Interval: 30 * time.Second}}
	})},
	{"canary steps fill weight", "deploy:\n  strategy: canary\n  canary:\n    steps: [5, 20, 100]\n    interval: 1m\n", defaults(func(s *Spec) {
		s.Deploy = Deploy{Strategy: "canary", Canary: &Canary{Weight: 5, Steps: []int{5, 20, 100}, Interval: time.Minute}}
	})},
	{"canary null block", "deploy:\n  strategy: canary\n  canary:\n", defaults(func(s *Spec) {
		s.Deploy = Deploy{Strategy: "canary", Canary: &Canary{Weight: 10, Steps: []int{10, 100}, Interval: 30 * time.Second}}
	})},
	{"unicode in values", "env:\n  GREETING: \"héllo 世界\"\n", defaults(func(s *Spec) { s.Env = map[string]string{"GREETING": "héllo 世界"} })},
}

var parseErrorCases = []errorCase{
	// The file as a whole.
	{"too large", "# " + strings.Repeat("x", 69997) + "\n",
		`app.yml is 70000 bytes; the limit is 65536`},
	{"invalid utf-8", "env:\n  A: \"caf\xe9\"\n",
		`app.yml:2:10: invalid UTF-8 (byte 0xe9); save the file as UTF-8`},
	{"utf-16", "\xff\xfee\x00n\x00v\x00:\x00\n\x00",
		`app.yml:1:1: invalid UTF-8 (byte 0xff); save the file as UTF-8`},
	{"nul byte", "env:\n  A: \"a\x00b\"\n",
		`app.yml:2:8: control character U+0000 is not allowed; remove it`},
	{"control character", "release: echo \x07\n",
		`app.yml:1:15: control character U+0007 is not allowed; remove it`},
	{"malformed yaml", "processes:\n  web:\n    command: [a, b\n",
		`app.yml:3:1: invalid YAML at or below this line: did not find expected ',' or ']'; check the indentation, and quote values that contain ": " or start with a special character`},
	{"malformed yaml on first line", "release: a: b\n",
		`app.yml:1:1: invalid YAML: mapping values are not allowed in this context; check the indentation, and quote values that contain ": " or start with a special character`},
	{"unterminated quote", "release: \"echo\n",
		`app.yml:2:1: invalid YAML: found unexpected end of stream; check the indentation, and quote values that contain ": " or start with a special character`},
	{"tab indentation", "processes:\n\tweb: {}\n",
		`app.yml:2:1: invalid YAML: found character that cannot start any token; indent with spaces, not tabs`},
	{"deep nesting", strings.Repeat("[", 20000),
		`app.yml:1:1: invalid YAML: exceeded max depth of 10000; check the indentation, and quote values that contain ": " or start with a special character`},
	{"multiple documents", "release: a\n---\nrelease: b\n",
		`app.yml:2:1: a second YAML document starts here; app.yml holds one document, so remove this "---" and what follows, or merge them`},
	{"alias", "env:\n  A: &v x\n  B: *v\n",
		"app.yml:2:6: anchor &v; app.yml does not support anchors and aliases; write the value out in full\n" +
			`app.yml:3:6: alias *v; app.yml does not support anchors and aliases; write the value out in full`},
	{"merge key", "base: &base {cpu: 100}\nprocesses:\n  web:\n    <<: *base\n",
		"app.yml:1:7: anchor &base; app.yml does not support anchors and aliases; write the value out in full\n" +
			`app.yml:4:9: alias *base; app.yml does not support anchors and aliases; write the value out in full`},
	{"top level list", "- web\n- worker\n",
		`app.yml:1:1: the top level must be a mapping, got a list; write keys such as processes: at the top level, without a leading "-"`},
	{"top level string", "web: ./server\n",
		`app.yml:1:1: unknown key "web"; it belongs under processes:`},
	{"top level scalar", "hello\n",
		`app.yml:1:1: the top level must be a mapping, got string "hello"; write keys such as processes: at the top level, without a leading "-"`},
	// Keys.
	{"unknown top key with suggestion", "procesess:\n  web: {}\n",
		`app.yml:1:1: unknown key "procesess"; did you mean "processes"?`},
	{"unknown top key in capitals", "Processes: {}\n",
		`app.yml:1:1: unknown key "Processes"; did you mean "processes"?`},
	{"unknown top key", "colour: blue\n",
		`app.yml:1:1: unknown key "colour"; use one of build, processes, release, health, env, addons, deploy`},
	{"empty key", "\"\": x\n",
		`app.yml:1:1: unknown key ""; use one of build, processes, release, health, env, addons, deploy`},
	{"unknown build key", "build:\n  dockerfil: Dockerfile\n",
		`app.yml:2:3: unknown key "dockerfil" in build; did you mean "dockerfile"?`},
	{"unknown process key", "processes:\n  web:\n    cpus: 100\n",
		`app.yml:3:5: unknown key "cpus" in processes.web; did you mean "cpu"?`},
	{"unknown scale key", "processes:\n  web:\n    scale: {count: 1, maximum: 3}\n",
		`app.yml:3:23: unknown key "maximum" in processes.web.scale; use one of count, min, max, target_inflight, target_rps, target_p95, idle`},
	{"unknown health key", "health:\n  url: /\n",
		`app.yml:2:3: unknown key "url" in health; use one of path, interval, timeout`},
	{"unknown deploy key", "deploy:\n  stratgey: canary\n",
		`app.yml:2:3: unknown key "stratgey" in deploy; did you mean "strategy"?`},
	{"unknown canary key", "deploy:\n  strategy: canary\n  canary:\n    step: [100]\n",
		`app.yml:4:5: unknown key "step" in deploy.canary; did you mean "steps"?`},
	{"duplicate top key", "env: {}\nenv: {}\n",
		`app.yml:2:1: duplicate key "env", first set on line 1; keep one of them`},
	{"duplicate process", "processes:\n  web: {command: a}\n  web: {command: b}\n",
		`app.yml:3:3: duplicate key "web" in processes, first set on line 2; keep one of them`},
	{"duplicate env key", "env:\n  A: x\n  A: y\n",
		`app.yml:3:3: duplicate key "A" in env, first set on line 2; keep one of them`},
	{"duplicate nested key", "processes:\n  web:\n    cpu: 100\n    cpu: 200\n",
		`app.yml:4:5: duplicate key "cpu" in processes.web, first set on line 3; keep one of them`},
	{"non-scalar key", "processes:\n  ? [a, b]\n  : {}\n",
		`app.yml:2:5: keys in processes must be plain names, got a list; write name: value`},
	// Processes.
	{"processes not a mapping", "processes: [web, worker]\n",
		`app.yml:1:12: processes must be a mapping, got a list; write each process type, such as web:, indented below it`},
	{"process as a string", "processes:\n  web: ./server\n",
		`app.yml:2:8: processes.web must be a mapping, got string "./server"; write command: "./server" indented below web`},
	{"process as a list", "processes:\n  web: [./server]\n",
		`app.yml:2:8: processes.web must be a mapping, got a list; write keys such as command: indented below it`},
	{"process name upper case", "processes:\n  Web: {}\n",
		`app.yml:2:3: processes has an invalid process type "Web"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"process name underscore", "processes:\n  my_worker: {command: x}\n",
		`app.yml:2:3: processes has an invalid process type "my_worker"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"process name digit first", "processes:\n  1web: {command: x}\n",
		`app.yml:2:3: processes has an invalid process type "1web"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"process name trailing dash", "processes:\n  web-: {command: x}\n",
		`app.yml:2:3: processes has an invalid process type "web-"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"process name too long", "processes:\n  " + strings.Repeat("a", 31) + ": {command: x}\n",
		`app.yml:2:3: processes has an invalid process type "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; name process types with 1-30 lower-case letters, digits and dashes, starting with a letter and not ending with a dash (e.g. web, worker)`},
	{"process named release", "processes:\n  release: {command: x}\n",
		`app.yml:2:3: processes has a process type named "release"; the release command is the top-level release key, not a process`},
	{"worker without command", "processes:\n  worker:\n",
		`app.yml:2:3: processes.worker has no command; only web may run the image's CMD, so add command: under worker`},
	{"worker with resources but no command", "processes:\n  worker: {cpu: 200}\n",
		`app.yml:2:3: processes.worker has no command; only web may run the image's CMD, so add command: under worker`},
	{"cpu string", "processes:\n  web:\n    cpu: lots\n",
		`app.yml:3:10: processes.web.cpu must be a number, got string "lots"; write a whole number from 10 to 8000 (MHz)`},
	{"cpu float", "processes:\n  web:\n    cpu: 1.5\n",
		`app.yml:3:10: processes.web.cpu must be a whole number, got number 1.5; write a whole number from 10 to 8000 (MHz)`},
	{"cpu too low", "processes:\n  web:\n    cpu: 9\n",
		`app.yml:3:10: processes.web.cpu is 9; use a whole number from 10 to 8000 (MHz)`},
	{"cpu too high", "processes:\n  web:\n    cpu: 8001\n",
		`app.yml:3:10: processes.web.cpu is 8001; use a whole number from 10 to 8000 (MHz)`},
	{"cpu negative", "processes:\n  web:\n    cpu: -100\n",
		`app.yml:3:10: processes.web.cpu is -100; use a whole number from 10 to 8000 (MHz)`},
	{"cpu beyond int64", "processes:\n  web:\n    cpu: 18446744073709551615\n",
		`app.yml:3:10: processes.web.cpu is 18446744073709551615, which is out of range; write a whole number from 10 to 8000 (MHz)`},
	{"cpu null", "processes:\n  web:\n    cpu:\n",
		`app.yml:3:9: processes.web.cpu must be a number, got null; write a whole number from 10 to 8000 (MHz)`},
	{"memory too low", "processes:\n  web:\n    memory: 15\n",
		`app.yml:3:13: processes.web.memory is 15; use a whole number from 16 to 16384 (MB)`},
	{"memory too high", "processes:\n  web:\n    memory: 16385\n",
		`app.yml:3:13: processes.web.memory is 16385; use a whole number from 16 to 16384 (MB)`},
	{"memory with unit", "processes:\n  web:\n    memory: 512MB\n",
		`app.yml:3:13: processes.web.memory must be a number, got string "512MB"; write a whole number from 16 to 16384 (MB)`},
	{"scale zero", "processes:\n  web: {scale: 0}\n",
		`app.yml:2:16: processes.web.scale is 0; use a whole number from 1 to 100 or a mapping such as {count: 2, min: 1, max: 5}`},
	{"scale too high", "processes:\n  web: {scale: 101}\n",
		`app.yml:2:16: processes.web.scale is 101; use a whole number from 1 to 100 or a mapping such as {count: 2, min: 1, max: 5}`},
	{"scale string", "processes:\n  web: {scale: two}\n",
		`app.yml:2:16: processes.web.scale must be a number, got string "two"; write a whole number from 1 to 100 or a mapping such as {count: 2, min: 1, max: 5}`},
	{"scale list", "processes:\n  web: {scale: [1, 5]}\n",
		`app.yml:2:16: processes.web.scale must be a number, got a list; write a whole number from 1 to 100 or a mapping such as {count: 2, min: 1, max: 5}`},
	{"scale min above count", "processes:\n  web:\n    scale: {count: 2, min: 3, max: 5}\n",
		`app.yml:3:12: processes.web.scale has min 3, count 2 and max 5; they must satisfy min <= count <= max`},
	{"scale count above max", "processes:\n  web:\n    scale: {count: 6, max: 5}\n",
		`app.yml:3:12: processes.web.scale has min 6, count 6 and max 5; they must satisfy min <= count <= max`},
	{"scale count above default max", "processes:\n  web:\n    scale: {count: 1, min: 2}\n",
		`app.yml:3:12: processes.web.scale has min 2, count 1 and max 1; they must satisfy min <= count <= max`},
	{"scale bound zero", "processes:\n  web:\n    scale: {count: 1, min: 0}\n",
		`app.yml:3:28: processes.web.scale.min is 0, which lets the process go to zero instances and needs a target to wake on; add target_inflight, target_rps or target_p95, or use a min of at least 1`},
	{"target inflight zero", "processes:\n  web:\n    scale: {max: 3, target_inflight: 0}\n",
		`app.yml:3:38: processes.web.scale.target_inflight is 0; use a whole number from 1 to 10000 (requests in flight per instance)`},
	{"target inflight string", "processes:\n  web:\n    scale: {max: 3, target_inflight: lots}\n",
		`app.yml:3:38: processes.web.scale.target_inflight must be a number, got string "lots"; write a whole number from 1 to 10000 (requests in flight per instance)`},
	{"target rps too high", "processes:\n  web:\n    scale:\n      max: 3\n      target_rps: 1000001\n",
		`app.yml:5:19: processes.web.scale.target_rps is 1000001; use a whole number from 1 to 1000000 (requests per second per instance)`},
	{"target p95 without unit", "processes:\n  web:\n    scale:\n      max: 3\n      target_p95: 200\n",
		`app.yml:5:19: processes.web.scale.target_p95 must be a duration such as 2s or 1m30s, got number 200; add a unit, e.g. 200s`},
	{"target p95 too short", "processes:\n  web:\n    scale:\n      max: 3\n      target_p95: 5ms\n",
		`app.yml:5:19: processes.web.scale.target_p95 is 5ms; use a duration from 10ms to 1m`},
	{"idle too short", "processes:\n  web:\n    scale:\n      min: 0\n      max: 3\n      target_rps: 5\n      idle: 1s\n",
		`app.yml:7:13: processes.web.scale.idle is 1s; use a duration from 5s to 24h`},
	{"idle without min zero", "processes:\n  web:\n    scale:\n      max: 3\n      target_rps: 5\n      idle: 1m\n",
		`app.yml:6:13: processes.web.scale.idle is set but min is not 0; idle is the wait before scaling to zero, so set min: 0, or remove idle`},
	{"min negative", "processes:\n  web:\n    scale: {min: -1, max: 3, target_rps: 5}\n",
		`app.yml:3:18: processes.web.scale.min is -1; use a whole number from 0 to 100 (0 lets web scale to zero)`},
	{"target on worker", "processes:\n  web:\n  worker:\n    command: ./work\n    scale:\n      max: 4\n      target_inflight: 3\n",
		`app.yml:7:24: processes.worker.scale.target_inflight is set on worker, but only web autoscales (its signals are the router's traffic); remove the target, or give worker a fixed count`},
	{"autoscale bounds out of order", "processes:\n  web:\n    scale: {min: 4, max: 2, target_inflight: 3}\n",
		`app.yml:3:12: processes.web.scale has min 4, count 4 and max 2; they must satisfy min <= count <= max`},
	{"unknown autoscale key", "processes:\n  web:\n    scale: {max: 3, target_inflght: 3}\n",
		`app.yml:3:21: unknown key "target_inflght" in processes.web.scale; did you mean "target_inflight"?`},
	{"target at top of process", "processes:\n  web:\n    target_rps: 5\n",
		`app.yml:3:5: unknown key "target_rps" in processes.web; it belongs under processes.<type>.scale:`},
	// Commands.
	{"command empty string", "processes:\n  web:\n    command: \"\"\n",
		`app.yml:3:14: processes.web.command is empty; write the command to run, or remove the key`},
	{"command blank", "processes:\n  web:\n    command: \"   \"\n",
		`app.yml:3:14: processes.web.command is empty; write the command to run, or remove the key`},
	{"command empty list", "processes:\n  web:\n    command: []\n",
		`app.yml:3:14: processes.web.command is empty; write the command to run, or remove the key`},
	{"command list starting empty", "processes:\n  web:\n    command: [\"\", x]\n",
		`app.yml:3:14: processes.web.command is empty; write the command to run, or remove the key`},
	{"command with nul", "processes:\n  web:\n    command: \"a\\0b\"\n",
		`app.yml:3:14: processes.web.command contains a NUL byte ("\0"); remove it`},
	{"command list with nul", "processes:\n  web:\n    command: [a, \"b\\0\"]\n",
		`app.yml:3:14: processes.web.command contains a NUL byte ("\0"); remove it`},
	{"command number", "processes:\n  web:\n    command: 5\n",
		`app.yml:3:14: processes.web.command must be a string or a list of strings, got number 5; quote it: "5"`},
	{"command null", "processes:\n  web:\n    command:\n",
		`app.yml:3:13: processes.web.command must be a string or a list of strings, got null; write the command to run, or remove the key`},
	{"command mapping", "processes:\n  web:\n    command: {run: x}\n",
		`app.yml:3:14: processes.web.command must be a string or a list of strings, got a mapping; write the command as one string, or as a list of its arguments`},
	{"command list with number", "processes:\n  web:\n    command: [sleep, 5]\n",
		`app.yml:3:22: processes.web.command[1] must be a string, got number 5; quote it: "5"`},
	{"command list with list", "processes:\n  web:\n    command: [sh, [x]]\n",
		`app.yml:3:19: processes.web.command[1] must be a string, got a list; write a single string`},
	{"release empty", "release: \"\"\n",
		`app.yml:1:10: release is empty; write the command to run, or remove the key`},
	{"release null", "release:\n",
		`app.yml:1:9: release must be a string or a list of strings, got null; write the command to run, or remove the key`},
	// Build.
	{"build not a mapping", "build: Dockerfile\n",
		`app.yml:1:8: build must be a mapping, got string "Dockerfile"; write keys such as dockerfile: indented below it`},
	{"dockerfile and stack", "build:\n  dockerfile: Dockerfile\n  stack: go\n",
		`app.yml:3:3: build sets both dockerfile and stack; keep dockerfile to build with it, or stack to build without one`},
	{"stack and dockerfile", "build:\n  stack: go\n  dockerfile: Dockerfile\n",
		`app.yml:3:3: build sets both dockerfile and stack; keep dockerfile to build with it, or stack to build without one`},
	{"dockerfile and command", "build:\n  dockerfile: Dockerfile\n  command: make\n",
		`app.yml:3:3: build sets command together with dockerfile; a Dockerfile build runs only the Dockerfile, so move the command into a RUN line`},
	{"dockerfile absolute", "build:\n  dockerfile: /etc/Dockerfile\n",
		`app.yml:2:15: build.dockerfile is the absolute path "/etc/Dockerfile"; give the path relative to the repository root, e.g. docker/Dockerfile`},
	{"dockerfile dot dot", "build:\n  dockerfile: ../other/Dockerfile\n",
		`app.yml:2:15: build.dockerfile is "../other/Dockerfile", which leaves the repository through ".."; give the path relative to the repository root, e.g. docker/Dockerfile`},
	{"dockerfile dot dot inside", "build:\n  dockerfile: docker/../../Dockerfile\n",
		`app.yml:2:15: build.dockerfile is "docker/../../Dockerfile", which leaves the repository through ".."; give the path relative to the repository root, e.g. docker/Dockerfile`},
	{"dockerfile empty", "build:\n  dockerfile: \"\"\n",
		`app.yml:2:15: build.dockerfile is empty; give the path relative to the repository root, e.g. docker/Dockerfile, or remove the key`},
	{"dockerfile is the root", "build:\n  dockerfile: ./\n",
		`app.yml:2:15: build.dockerfile is "./", the repository root; name the Dockerfile itself, e.g. docker/Dockerfile`},
	{"dockerfile backslash", "build:\n  dockerfile: docker\\Dockerfile\n",
		`app.yml:2:15: build.dockerfile is "docker\\Dockerfile"; separate directories with "/", e.g. docker/Dockerfile`},
	{"dockerfile number", "build:\n  dockerfile: 1\n",
		`app.yml:2:15: build.dockerfile must be a string, got number 1; quote it: "1"`},
	{"stack unknown", "build:\n  stack: ruby\n",
		`app.yml:2:10: build.stack is "ruby"; use one of go, node, python, static`},
	{"stack typo", "build:\n  stack: pyton\n",
		`app.yml:2:10: build.stack is "pyton"; did you mean "python"? (use one of go, node, python, static)`},
	{"stack list", "build:\n  stack: [go]\n",
		`app.yml:2:10: build.stack must be a string, got a list; use one of go, node, python, static`},
	// Health.
	{"health path relative", "health:\n  path: healthz\n",
		`app.yml:2:9: health.path is "healthz"; it must start with "/", e.g. /healthz`},
	{"health path with space", "health:\n  path: /health check\n",
		`app.yml:2:9: health.path is "/health check"; percent-encode spaces and control characters, e.g. %20`},
	{"health path too long", "health:\n  path: /" + strings.Repeat("a", 1024) + "\n",
		`app.yml:2:9: health.path is 1025 bytes long; use a path of at most 1024`},
	{"health path number", "health:\n  path: 200\n",
		`app.yml:2:9: health.path must be a string, got number 200; quote it: "200"`},
	{"health interval too short", "health:\n  interval: 500ms\n",
		`app.yml:2:13: health.interval is 500ms; use a duration from 1s to 5m`},
	{"health interval too long", "health:\n  interval: 6m\n",
		`app.yml:2:13: health.interval is 6m; use a duration from 1s to 5m`},
	{"health interval without unit", "health:\n  interval: 2\n",
		`app.yml:2:13: health.interval must be a duration such as 2s or 1m30s, got number 2; add a unit, e.g. 2s`},
	{"health interval words", "health:\n  interval: 2 seconds\n",
		`app.yml:2:13: health.interval must be a duration such as 2s or 1m30s, got string "2 seconds"; use the units ms, s, m or h`},
	{"health interval negative", "health:\n  interval: -2s\n",
		`app.yml:2:13: health.interval is -2s; use a duration from 1s to 5m`},
	{"health timeout too short", "health:\n  timeout: 100ms\n",
		`app.yml:2:12: health.timeout is 100ms; use a duration from 1s to 5m`},
	{"health timeout above interval", "health:\n  interval: 2s\n  timeout: 5s\n",
		`app.yml:3:12: health.timeout is 5s, longer than the interval of 2s; make it at most the interval`},
	{"health timeout above default interval", "health:\n  timeout: 3s\n",
		`app.yml:2:12: health.timeout is 3s, longer than the interval of 2s; make it at most the interval`},
	{"health without web", "processes:\n  worker: {command: x}\nhealth:\n  path: /\n",
		`app.yml:3:1: health checks the web process, but processes has no web; remove health, or add a web process`},
	// Env.
	{"env not a mapping", "env: [A=1]\n",
		`app.yml:1:6: env must be a mapping, got a list; write NAME: value pairs indented below it`},
	{"env bool", "env:\n  DEBUG: true\n",
		`app.yml:2:10: env.DEBUG must be a string, got boolean true; quote it: "true"`},
	{"env number", "env:\n  WORKERS: 4\n",
		`app.yml:2:12: env.WORKERS must be a string, got number 4; quote it: "4"`},
	{"env float", "env:\n  RATIO: 0.5\n",
		`app.yml:2:10: env.RATIO must be a string, got number 0.5; quote it: "0.5"`},
	{"env null", "env:\n  EMPTY:\n",
		`app.yml:2:9: env.EMPTY must be a string, got null; give a value, or write "" for an empty one`},
	{"env date", "env:\n  SINCE: 2024-01-01\n",
		`app.yml:2:10: env.SINCE must be a string, got date 2024-01-01; quote it: "2024-01-01"`},
	{"env list", "env:\n  HOSTS: [a, b]\n",
		`app.yml:2:10: env.HOSTS must be a string, got a list; write a single string`},
	{"env custom tag", "env:\n  TOKEN: !secret x\n",
		`app.yml:2:10: env.TOKEN must be a string, got value "x" tagged "!secret"; quote it: "x"`},
	{"tag with a line break", "!%0A",
		`app.yml:1:1: the top level must be a mapping, got value "" tagged "!\n"; write keys such as processes: at the top level, without a leading "-"`},
	{"env binary tag", "env:\n  BLOB: !!binary aGk=\n",
		`app.yml:2:9: env.BLOB must be a string, got value "aGk=" tagged "!!binary"; quote it: "aGk="`},
	{"env lower-case key", "env:\n  log_level: info\n",
		`app.yml:2:3: env has the invalid name "log_level"; use upper-case letters, digits and underscores, not starting with a digit (e.g. LOG_LEVEL)`},
	{"env key with dash", "env:\n  LOG-LEVEL: info\n",
		`app.yml:2:3: env has the invalid name "LOG-LEVEL"; use upper-case letters, digits and underscores, not starting with a digit (e.g. LOG_LEVEL)`},
	{"env key digit first", "env:\n  1X: a\n",
		`app.yml:2:3: env has the invalid name "1X"; use upper-case letters, digits and underscores, not starting with a digit (e.g. LOG_LEVEL)`},
	{"env PORT", "env:\n  PORT: \"8080\"\n",
		`app.yml:2:3: env sets PORT, which the platform sets itself; remove it or choose another name`},
	{"env PAAS prefix", "env:\n  PAAS_APP: x\n",
		`app.yml:2:3: env sets PAAS_APP, which the platform sets itself; remove it or choose another name`},
	{"env value with nul", "env:\n  A: \"x\\0\"\n",
		`app.yml:2:6: env.A contains a NUL byte ("\0"); remove it`},
	// Addons.
	{"addons not a list", "addons: postgres\n",
		`app.yml:1:9: addons must be a list, got string "postgres"; write e.g. addons: [postgres, redis]`},
	{"addon unknown", "addons: [mysql]\n",
		`app.yml:1:10: addons[0] is "mysql"; use one of postgres, redis`},
	{"addon typo", "addons: [postgress]\n",
		`app.yml:1:10: addons[0] is "postgress"; did you mean "postgres"? (use one of postgres, redis)`},
	{"addon duplicate", "addons: [redis, redis]\n",
		`app.yml:1:17: addons[1] lists "redis" again; list each add-on once`},
	{"addon number", "addons: [1]\n",
		`app.yml:1:10: addons[0] must be a string, got number 1; use one of postgres, redis`},
	// Deploy.
	{"deploy not a mapping", "deploy: canary\n",
		`app.yml:1:9: deploy must be a mapping, got string "canary"; write keys such as strategy: indented below it`},
	{"strategy unknown", "deploy:\n  strategy: big-bang\n",
		`app.yml:2:13: deploy.strategy is "big-bang"; use one of blue-green, canary, rolling`},
	{"strategy typo", "deploy:\n  strategy: bluegreen\n",
		`app.yml:2:13: deploy.strategy is "bluegreen"; did you mean "blue-green"? (use one of blue-green, canary, rolling)`},
	{"strategy null", "deploy:\n  strategy:\n",
		`app.yml:2:12: deploy.strategy must be a string, got null; use one of blue-green, canary, rolling`},
	{"canary without strategy", "deploy:\n  canary: {weight: 5}\n",
		`app.yml:2:3: deploy.canary is set but the strategy is "blue-green"; set strategy: canary, or remove canary`},
	{"canary with rolling", "deploy:\n  strategy: rolling\n  canary: {weight: 5}\n",
		`app.yml:3:3: deploy.canary is set but the strategy is "rolling"; set strategy: canary, or remove canary`},
	{"canary weight zero", "deploy:\n  strategy: canary\n  canary: {weight: 0}\n",
		`app.yml:3:20: deploy.canary.weight is 0; use a whole number from 1 to 100 (percent)`},
	{"canary weight above 100", "deploy:\n  strategy: canary\n  canary: {weight: 101}\n",
		`app.yml:3:20: deploy.canary.weight is 101; use a whole number from 1 to 100 (percent)`},
	{"canary weight not first step", "deploy:\n  strategy: canary\n  canary: {weight: 5, steps: [10, 100]}\n",
		`app.yml:3:20: deploy.canary.weight is 5 but the first step is 10; make them equal, or give only steps`},
	{"canary steps not ending at 100", "deploy:\n  strategy: canary\n  canary: {steps: [10, 50]}\n",
		`app.yml:3:19: deploy.canary.steps ends at 50; list rising percentages that end at 100, e.g. [10, 50, 100]`},
	{"canary steps not rising", "deploy:\n  strategy: canary\n  canary: {steps: [50, 10, 100]}\n",
		`app.yml:3:19: deploy.canary.steps goes from 50 to 10; list rising percentages that end at 100, e.g. [10, 50, 100]`},
	{"canary steps repeated", "deploy:\n  strategy: canary\n  canary: {steps: [50, 50, 100]}\n",
		`app.yml:3:19: deploy.canary.steps goes from 50 to 50; list rising percentages that end at 100, e.g. [10, 50, 100]`},
	{"canary step zero", "deploy:\n  strategy: canary\n  canary: {steps: [0, 100]}\n",
		`app.yml:3:20: deploy.canary.steps[0] is 0; use a whole number from 1 to 100 (percent)`},
	{"canary steps empty", "deploy:\n  strategy: canary\n  canary: {steps: []}\n",
		`app.yml:3:19: deploy.canary.steps is empty; list rising percentages that end at 100, e.g. [10, 50, 100]`},
	{"canary too many steps", "deploy:\n  strategy: canary\n  canary: {steps: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]}\n",
		`app.yml:3:19: deploy.canary.steps has 11 steps; use at most 10`},
	{"canary steps not a list", "deploy:\n  strategy: canary\n  canary: {steps: 100}\n",
		`app.yml:3:19: deploy.canary.steps must be a list, got number 100; write e.g. steps: [10, 50, 100]`},
	{"canary interval too long", "deploy:\n  strategy: canary\n  canary: {interval: 2h}\n",
		`app.yml:3:22: deploy.canary.interval is 2h; use a duration from 1s to 1h`},
	// Reporting.
	{"several problems sorted by line", "env:\n  lower: x\nprocesses:\n  web: {cpu: 1}\nbuild: {stack: ruby}\n",
		"app.yml:2:3: env has the invalid name \"lower\"; use upper-case letters, digits and underscores, not starting with a digit (e.g. LOG_LEVEL)\n" +
			"app.yml:4:14: processes.web.cpu is 1; use a whole number from 10 to 8000 (MHz)\n" +
			`app.yml:5:16: build.stack is "ruby"; use one of go, node, python, static`},
	{"many problems truncated", strings.Repeat("x: 1\n", 12),
		"app.yml:1:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:2:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:3:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:4:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:5:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:6:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:7:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:8:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:9:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			"app.yml:10:1: unknown key \"x\"; use one of build, processes, release, health, env, addons, deploy\n" +
			`app.yml: 2 more problems not shown; fix the ones above first`},
}
