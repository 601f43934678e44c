package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// lifecycleApp is a busybox site with a CGI script that shows a config var,
// a worker, and a release command that fails when FAIL_RELEASE=1.
const lifecycleYML = `processes:
  web:
    command: exec httpd -f -p $PORT -h /www
  worker:
    command: while true; do echo working; sleep 5; done
    memory: 32
release: echo migrating the database; test "$FAIL_RELEASE" != 1
health:
  path: /
  interval: 1s
env:
  GREETING: default
`

const envCGI = "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"GREETING=$GREETING\"\n"

func newLifecycleApp(t *testing.T, s *stack) string {
	dir := newApp(t, s, "lifecycle")
	writeFile(t, filepath.Join(dir, "app.yml"), lifecycleYML)
	os.MkdirAll(filepath.Join(dir, "www", "cgi-bin"), 0o755)
	if err := os.WriteFile(filepath.Join(dir, "www", "cgi-bin", "env"), []byte(envCGI), 0o755); err != nil {
		t.Fatal(err)
	}
	s.mustGit(dir, "add", "-A")
	s.mustGit(dir, "commit", "-q", "-m", "app.yml")
	return dir
}

func greeting(t *testing.T, s *stack, app, want string) {
	t.Helper()
	eventually(t, 30*time.Second, func() string {
		code, body := s.get(app, "/cgi-bin/env")
		if code != 200 || strings.TrimSpace(body) != "GREETING="+want {
			return "GREETING is " + body + ", want " + want
		}
		return ""
	})
}

func TestLifecycle(t *testing.T) {
	s := newTestStack(t)
	login(t, s)
	dir := newLifecycleApp(t, s)
	s.mustPaas(dir, "apps:create", "life")
	const secret = "bonjour-s3cr3t-value"

	out := s.mustPaas(dir, "config:set", "GREETING=hello")
	if !strings.Contains(out, "first deploy") {
		t.Errorf("config:set before the first deploy: %q", out)
	}
	out = s.mustGit(dir, "push", "paas", "main")
	for _, want := range []string{"Using app.yml", "Running release command", "migrating the database", "Released v1"} {
		if !strings.Contains(out, want) {
			t.Errorf("push output lacks %q:\n%s", want, out)
		}
	}
	greeting(t, s, "life", "hello")

	t.Run("processes", func(t *testing.T) {
		var ps []paas.ProcessState
		decode(t, s.mustPaas(dir, "ps", "--json"), &ps)
		types := map[string]int{}
		for _, p := range ps {
			types[p.Type]++
		}
		if types["web"] != 1 || types["worker"] != 1 {
			t.Errorf("ps = %+v; want one web and one worker", ps)
		}
	})

	t.Run("logs interleave processes and the platform", func(t *testing.T) {
		eventually(t, 20*time.Second, func() string {
			out, _ := s.paas(dir, "logs", "-n", "20")
			if !strings.Contains(out, "app[worker.1]: working") || !strings.Contains(out, "app[paas]: Release v1 is live") ||
				!strings.Contains(out, `app[router]: at=info method=GET path="/cgi-bin/env" status=200`) {
				return "paas logs: " + out
			}
			return ""
		})
	})

	t.Run("config change makes a release", func(t *testing.T) {
		out := s.mustPaas(dir, "config:set", "GREETING="+secret)
		if strings.Contains(out, secret) || !strings.Contains(out, "v2") {
			t.Errorf("config:set output %q: want v2 and no value", out)
		}
		greeting(t, s, "life", secret)
		if got := strings.TrimSpace(s.mustPaas(dir, "config:get", "GREETING")); got != secret {
			t.Errorf("config:get = %q", got)
		}
		var r paas.Release
		decode(t, s.mustPaas(dir, "releases:info", "v2", "--json"), &r)
		if r.Reason != paas.ReasonConfig || strings.Contains(s.mustPaas(dir, "releases", "--json"), secret) {
			t.Errorf("release v2 = %+v; want reason config and no value in listings", r)
		}
	})

	t.Run("scale web to 3", func(t *testing.T) {
		s.mustPaas(dir, "ps:scale", "web=3")
		eventually(t, 60*time.Second, func() string {
			var ps []paas.ProcessState
			out, _ := s.paas(dir, "ps", "--json")
			json.Unmarshal([]byte(out), &ps)
			healthy := 0
			for _, p := range ps {
				if p.Type == "web" && p.Healthy && p.Release == 3 {
					healthy++
				}
			}
			if healthy != 3 {
				return "healthy web instances of v3: " + out
			}
			return ""
		})
	})

	t.Run("restart replaces the worker", func(t *testing.T) {
		before := processIDs(t, s, dir, "worker")
		s.mustPaas(dir, "ps:restart", "worker")
		after := processIDs(t, s, dir, "worker")
		if len(after) != 1 || after[0] == before[0] {
			t.Errorf("worker allocations before %v, after restart %v; want a new one", before, after)
		}
	})

	t.Run("failing release command keeps the old release", func(t *testing.T) {
		out, err := s.paas(dir, "config:set", "FAIL_RELEASE=1")
		if err == nil || !strings.Contains(out, "release command") {
			t.Errorf("config:set with a failing release command: err=%v %q", err, out)
		}
		greeting(t, s, "life", secret)
		if out, err := s.paas(dir, "config:get", "FAIL_RELEASE"); err == nil {
			t.Errorf("FAIL_RELEASE is set after its release failed: %q", out)
		}
	})

	t.Run("rollback brings back code, config and formation", func(t *testing.T) {
		out := s.mustPaas(dir, "releases:rollback", "v1")
		if !strings.Contains(out, "v5") {
			t.Errorf("rollback output %q; want v5", out)
		}
		greeting(t, s, "life", "hello")
		var formation []paas.Process
		var app struct{ Release int }
		decode(t, s.mustPaas(dir, "apps:info", "--json"), &app)
		r := paas.Release{}
		decode(t, s.mustPaas(dir, "releases:info", "--json"), &r)
		formation = r.Spec.Formation
		if app.Release != 5 || r.Reason != paas.ReasonRollback || len(formation) == 0 || formation[0].Count != 1 {
			t.Errorf("after rollback: app v%d, release %+v", app.Release, r)
		}
	})

	t.Run("one-off run returns its exit code", func(t *testing.T) {
		cmd := exec.Command(filepath.Join(binDir, "paas"), "run", "--", "sh", "-c", "echo out-of-band; echo $GREETING; exit 3")
		cmd.Dir, cmd.Env = dir, s.env()
		out, err := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 3 || !strings.Contains(string(out), "out-of-band") || !strings.Contains(string(out), "hello") {
			t.Errorf("paas run: exit %d (%v), output %q; want 3 with the output and config", code, err, out)
		}
	})

	t.Run("a job stopped behind the platform's back comes back", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodDelete, s.nomadAddr+"/v1/job/paas-life-v5", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stop job in Nomad: %v %v", err, resp)
		}
		resp.Body.Close()
		eventually(t, 90*time.Second, func() string {
			var app struct {
				LastDrift *paas.Event `json:"last_drift"`
			}
			out, _ := s.paas(dir, "apps:info", "--json")
			json.Unmarshal([]byte(out), &app)
			if app.LastDrift == nil {
				return "no drift recorded yet"
			}
			return ""
		})
		greeting(t, s, "life", "hello")
		if out := s.mustPaas(dir, "apps:info"); !strings.Contains(out, "Last drift") {
			t.Errorf("apps:info does not show the drift:\n%s", out)
		}
	})

	if strings.Contains(s.logs.String(), secret) {
		t.Error("a config var value appears in the platform's logs")
	}
}

// processIDs returns the allocation IDs of the running instances of typ.
func processIDs(t *testing.T, s *stack, dir, typ string) []string {
	t.Helper()
	var ps []paas.ProcessState
	decode(t, s.mustPaas(dir, "ps", "--json"), &ps)
	var ids []string
	for _, p := range ps {
		if p.Type == typ && p.State == "running" {
			ids = append(ids, p.AllocID)
		}
	}
	return ids
}
