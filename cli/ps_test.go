package cli

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestPsGrouping(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	since := func(d time.Duration) time.Time { return testNow.Add(-d) }
	h.api.SetProcesses("hello", []paas.ProcessState{
		{Name: "clock.1", Type: "clock", Release: 1, State: "crashed", Since: since(3 * time.Hour)},
		{Name: "web.1", Type: "web", Release: 1, State: "running", Healthy: true, Since: since(2 * time.Minute)},
		{Name: "worker.1", Type: "worker", Release: 1, State: "running", Healthy: true, Since: since(5 * time.Minute)},
		{Name: "web.2", Type: "web", Release: 1, State: "running", Since: since(90 * time.Second)},
		{Name: "web.3", Type: "web", Release: 1, State: "starting", Since: since(5 * time.Second)},
	})
	want := "=== web (3)\n" +
		"web.1: running 2m ago (v1) healthy\n" +
		"web.2: running 1m ago (v1) unhealthy\n" +
		"web.3: starting 5s ago (v1)\n" +
		"\n" +
		"=== clock (1)\n" +
		"clock.1: crashed 3h ago (v1)\n" +
		"\n" +
		"=== worker (1)\n" +
		"worker.1: running 5m ago (v1) healthy\n" +
		"\n" +
		"Formation: web=1 worker=0\n"
	r := h.mustRun("ps", "-a", "hello")
	if diff := cmp.Diff(want, r.stdout); diff != "" {
		t.Errorf("ps (-want +got):\n%s", diff)
	}

	var got []paas.ProcessState
	r = h.mustRun("ps", "-a", "hello", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 5 || got[1].Name != "web.1" || !got[1].Healthy {
		t.Errorf("ps --json = %s (%v)", r.stdout, err)
	}
}

func TestPsNothingRunning(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	h.api.AddApp("new")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "released", args: []string{"ps", "-a", "hello"}, want: "No processes are running on hello.\n\nFormation: web=1 worker=0\n"},
		{name: "never released", args: []string{"ps", "-a", "new"}, want: "new has no processes; deploy with: git push paas main\n"},
		{name: "json", args: []string{"ps", "-a", "new", "--json"}, want: "[]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.mustRun(tt.args...); r.stdout != tt.want {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.want)
			}
		})
	}
}

func TestPsScale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantBody string
		wantErr  string
	}{
		{name: "two types", args: []string{"web=3", "worker=1"}, wantOut: "Scaling dynos... done, now running web at 3, worker at 1 (v2)\n", wantBody: `{"web":3,"worker":1}`},
		{name: "to zero", args: []string{"web=0"}, wantOut: "Scaling dynos... done, now running web at 0 (v2)\n", wantBody: `{"web":0}`},
		{name: "the limit", args: []string{"worker=100"}, wantOut: "Scaling dynos... done, now running worker at 100 (v2)\n", wantBody: `{"worker":100}`},
		{name: "no =", args: []string{"web"}, wantCode: ExitUsage, wantErr: `"web" is not TYPE=COUNT, such as web=2`},
		{name: "no type", args: []string{"=2"}, wantCode: ExitUsage, wantErr: "a process type is missing"},
		{name: "bad type", args: []string{"Web=2"}, wantCode: ExitUsage, wantErr: `"Web" is not a process type`},
		{name: "type with space", args: []string{"web worker=2"}, wantCode: ExitUsage, wantErr: `"web worker" is not a process type`},
		{name: "one instance", args: []string{"web.1=2"}, wantCode: ExitUsage, wantErr: `"web.1" names one instance; the platform acts on whole process types, such as web`},
		{name: "negative", args: []string{"web=-1"}, wantCode: ExitUsage, wantErr: "web=-1: a count is between 0 and 100"},
		{name: "not a number", args: []string{"web=two"}, wantCode: ExitUsage, wantErr: `"web=two": the count "two" is not a whole number`},
		{name: "fraction", args: []string{"web=1.5"}, wantCode: ExitUsage, wantErr: `the count "1.5" is not a whole number`},
		{name: "empty count", args: []string{"web="}, wantCode: ExitUsage, wantErr: `the count "" is not a whole number`},
		{name: "over the limit", args: []string{"web=101"}, wantCode: ExitUsage, wantErr: "web=101: a count is between 0 and 100"},
		{name: "out of range", args: []string{"web=99999999999999999999"}, wantCode: ExitUsage, wantErr: "web=99999999999999999999: a count is between 0 and 100"},
		{name: "twice", args: []string{"web=1", "web=2"}, wantCode: ExitUsage, wantErr: "web is given twice"},
		{name: "none", wantCode: ExitUsage, wantErr: "missing TYPE=COUNT; usage: paas ps:scale web=2"},
		{name: "unknown type", args: []string{"clock=1"}, wantCode: ExitError, wantOut: "Scaling dynos... failed\n", wantErr: `no process type "clock"; the types are web, worker`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := releasedHarness(t)
			r := h.run("", append([]string{"ps:scale", "-a", "hello"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if r.stdout != tt.wantOut {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.wantOut)
			}
			body, sent := h.lastBody("PATCH", "/v1/apps/hello/formation")
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				if tt.wantCode == ExitUsage && sent {
					t.Error("a usage error reached the API")
				}
				return
			}
			if body != tt.wantBody {
				t.Errorf("body = %s, want %s", body, tt.wantBody)
			}
		})
	}
}

func TestPsScaleThenPs(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	h.mustRun("ps:scale", "-a", "hello", "web=2", "worker=1")
	r := h.mustRun("ps", "-a", "hello")
	wantContains(t, "ps", r.stdout, "=== web (2)\nweb.1: running ", " (v2) healthy\nweb.2: running ", "=== worker (1)\n", "Formation: web=2 worker=1\n")
	r = h.mustRun("ps:stop", "-a", "hello", "worker")
	if r.stdout != "Stopping worker processes on hello... done, v3\n" {
		t.Errorf("ps:stop = %q", r.stdout)
	}
	if body, _ := h.lastBody("PATCH", "/v1/apps/hello/formation"); body != `{"worker":0}` {
		t.Errorf("ps:stop body = %s", body)
	}
	r = h.mustRun("ps", "-a", "hello")
	if strings.Contains(r.stdout, "worker.1") || !strings.Contains(r.stdout, "Formation: web=2 worker=0\n") {
		t.Errorf("ps after ps:stop =\n%s", r.stdout)
	}
}

func TestPsStopAndRestartArgs(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	h.mustRun("ps:scale", "-a", "hello", "web=2")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantBody string
		wantErr  string
	}{
		{name: "restart all", args: []string{"ps:restart"}, wantOut: "Restarting all processes on hello... done\n"},
		{name: "restart web", args: []string{"ps:restart", "web"}, wantOut: "Restarting web processes on hello... done\n", wantBody: `{"type":"web"}`},
		{name: "restart unknown type", args: []string{"ps:restart", "clock"}, wantCode: ExitError, wantOut: "Restarting clock processes on hello... failed\n", wantErr: `no process type "clock" in v2; the types are web, worker`},
		{name: "restart nothing running", args: []string{"ps:restart", "worker"}, wantCode: ExitError, wantErr: "release v2 of hello has no worker instances to restart"},
		{name: "restart one instance", args: []string{"ps:restart", "web.1"}, wantCode: ExitUsage, wantErr: `"web.1" names one instance`},
		{name: "restart two types", args: []string{"ps:restart", "web", "worker"}, wantCode: ExitUsage, wantErr: `unexpected argument "worker"`},
		{name: "stop missing type", args: []string{"ps:stop"}, wantCode: ExitUsage, wantErr: "missing process type; usage: paas ps:stop TYPE"},
		{name: "stop bad type", args: []string{"ps:stop", "web=0"}, wantCode: ExitUsage, wantErr: `"web=0" is not a process type`},
		{name: "stop unknown type", args: []string{"ps:stop", "clock"}, wantCode: ExitError, wantOut: "Stopping clock processes on hello... failed\n", wantErr: `no process type "clock"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run("", append(tt.args, "-a", "hello")...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if tt.wantOut != "" && r.stdout != tt.wantOut {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.wantOut)
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			if body, _ := h.lastBody("POST", "/v1/apps/hello/ps/restart"); body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
		})
	}
}

// FuzzParseCounts checks that parsing never panics and accepts only
// valid types with counts from 0 to the limit.
func FuzzParseCounts(f *testing.F) {
	for _, s := range []string{"web=1", "web=-1", "web=101", "=1", "Web=1", "web.1=1", "web=1.5", "web=+3", "w-1=0", "web"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		types, counts, err := parseCounts([]string{arg})
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("parseCounts(%q) error %v is not a usage error", arg, err)
			}
			return
		}
		if len(types) != 1 || !validProcessType(types[0]) || counts[types[0]] < 0 || counts[types[0]] > maxProcessCount {
			t.Fatalf("parseCounts(%q) = %q, %v", arg, types, counts)
		}
	})
}
