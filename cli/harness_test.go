package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient/apiclienttest"
)

const testToken = "tok-5ecret-9f3a"

// testNow is the clock of every test run; fixtures are dated from it.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// harness runs the CLI in-process against a fake API, with its own home
// and config directories, so tests run in parallel and never touch the
// real ~/.netrc.
type harness struct {
	t    *testing.T
	api  *apiclienttest.Server
	vars map[string]string
	home string
	dir  string // working directory of the commands
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	api := apiclienttest.New(t, testToken)
	home := t.TempDir()
	return &harness{
		t:   t,
		api: api,
		vars: map[string]string{
			"HOME":            home,
			"XDG_CONFIG_HOME": filepath.Join(home, "xdg"),
			"PAAS_API_URL":    api.URL,
		},
		home: home,
		dir:  t.TempDir(),
	}
}

// result is what one run of the CLI printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) output() string { return r.stdout + r.stderr }

// run runs the CLI with args, reading stdin.
func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	code := h.runIO(context.Background(), strings.NewReader(stdin), &stdout, &stderr, args...)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// runIO runs the CLI with args and the given context and streams, for
// tests that watch the output while it is written or interrupt the CLI.
func (h *harness) runIO(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, args ...string) int {
	e := &env{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		getenv: func(k string) string { return h.vars[k] },
		dir:    h.dir,
		now:    func() time.Time { return testNow },
	}
	return run(ctx, e, args)
}

// mustRun runs the CLI and fails the test unless it succeeds.
func (h *harness) mustRun(args ...string) result {
	h.t.Helper()
	r := h.run("", args...)
	if r.code != ExitOK {
		h.t.Fatalf("paas %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// login logs in with the right token through the CLI itself.
func (h *harness) login() {
	h.t.Helper()
	h.mustRun("login", "--token", testToken)
}

func (h *harness) netrcPath() string { return filepath.Join(h.home, ".netrc") }

func (h *harness) readNetrc() string {
	h.t.Helper()
	b, err := os.ReadFile(h.netrcPath())
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func (h *harness) writeNetrc(s string) {
	h.t.Helper()
	if err := os.WriteFile(h.netrcPath(), []byte(s), 0o600); err != nil {
		h.t.Fatal(err)
	}
}

// gitInit makes the working directory a git repository. It needs the git
// CLI, and skips without it except under CI=true.
func (h *harness) gitInit() {
	h.t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			h.t.Fatal("git is not installed")
		}
		h.t.Skip("git is not installed")
	}
	h.git("init", "-q")
}

// git runs git in the working directory and returns its trimmed output.
func (h *harness) git(args ...string) string {
	h.t.Helper()
	out, err := gitRepo{dir: h.dir}.run(context.Background(), args...)
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// wantContains fails unless s contains every one of subs.
func wantContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

// wantError fails unless a line of stderr is a Heroku-style error
// (" !    message") containing msg.
func wantError(t *testing.T, stderr, msg string) {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, " !    ") && strings.Contains(line, msg) {
			return
		}
	}
	t.Errorf("stderr has no line \" !    ...%s...\":\n%s", msg, stderr)
}

// releasedHarness is logged in and has an app "hello" whose current
// release v1 runs web=1 and worker=0, with the config var GREETING=hi.
func releasedHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	h.api.AddRelease("hello", paas.Release{
		Version: 1, Image: "paas/hello:1", BuildID: 1, Reason: paas.ReasonDeploy, Description: "Deploy aaaaaaa",
		Status: paas.ReleaseSucceeded, Current: true, CreatedBy: "admin", CreatedAt: testNow.Add(-time.Hour),
		Config: map[string]string{"GREETING": "hi"},
		Spec: paas.ReleaseSpec{
			Formation: []paas.Process{{Type: "web", Count: 1, Command: []string{"./web", "--port", "$PORT"}}, {Type: "worker", Count: 0}},
			Health:    paas.HealthCheck{Path: "/healthz", Interval: 10 * time.Second, Timeout: 2 * time.Second},
		},
	})
	return h
}

// wantNoSecret fails if the output shows secret.
func wantNoSecret(t *testing.T, r result, secret string) {
	t.Helper()
	if strings.Contains(r.output(), secret) {
		t.Errorf("output shows the value %q:\n%s", secret, r.output())
	}
}

// lastBody returns the body of the last request to path.
func (h *harness) lastBody(method, path string) (string, bool) {
	h.t.Helper()
	reqs := h.api.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Method == method && reqs[i].Path == path {
			return reqs[i].Body, true
		}
	}
	return "", false
}
