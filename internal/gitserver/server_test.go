package gitserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// TestMain lets the test binary double as the pre-receive hook: git runs it
// with PAAS_HOOK_TOKEN set, as it would run `paasd git-hook`.
func TestMain(m *testing.M) {
	if os.Getenv("PAAS_HOOK_TOKEN") != "" && os.Getenv("GIT_DIR") != "" {
		os.Exit(RunHook(context.Background(), os.Getenv, os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// fakeAuth knows a token per kind of caller: admin owns hello, vera views
// it, stan has no role on it, and read-token is admin's read-only token.
type fakeAuth struct{}

var fakeTokens = map[string]paas.Identity{
	"good-token":   {User: paas.User{ID: 1, Name: "admin"}, Token: paas.Token{ID: 11, Scope: paas.ScopeDeploy}},
	"read-token":   {User: paas.User{ID: 1, Name: "admin"}, Token: paas.Token{ID: 12, Scope: paas.ScopeRead}},
	"viewer-token": {User: paas.User{ID: 2, Name: "vera"}, Token: paas.Token{ID: 21, Scope: paas.ScopeAdmin}},
	"other-token":  {User: paas.User{ID: 3, Name: "stan"}, Token: paas.Token{ID: 31, Scope: paas.ScopeAdmin}},
}

var fakeRoles = map[string]paas.Role{"admin": paas.RoleOwner, "vera": paas.RoleViewer}

func (fakeAuth) Authenticate(_ context.Context, token string) (*paas.Identity, error) {
	id, ok := fakeTokens[token]
	if !ok {
		return nil, paas.Errorf(paas.EUNAUTHORIZED, "invalid token")
	}
	return &id, nil
}

func (fakeAuth) Authorize(_ context.Context, id *paas.Identity, app string, need paas.Permission) error {
	role := fakeRoles[id.User.Name]
	switch {
	case !id.Token.Scope.Includes(need.Scope):
		return paas.Errorf(paas.EFORBIDDEN, "this token has scope %s", id.Token.Scope)
	case app != "hello" || role == "":
		return paas.Errorf(paas.ENOTFOUND, "app %q not found", app)
	case !role.Includes(need.Role):
		return paas.Errorf(paas.EFORBIDDEN, "this needs the role %s", need.Role)
	}
	return nil
}

// recordingAudit keeps the pushes the server records.
type recordingAudit struct {
	mu      sync.Mutex
	entries []string
}

func (a *recordingAudit) RecordPush(_ context.Context, e paas.AuditEntry, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, fmt.Sprintf("%s %s %s token=%d from=%s: %s", e.Action, e.App, e.User, e.TokenID, e.ClientIP, paas.ErrorCode(err)))
}

func (a *recordingAudit) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.entries...)
}

type fakeApps struct{}

func (fakeApps) GetApp(_ context.Context, name string) (*paas.App, error) {
	if name != "hello" {
		return nil, paas.Errorf(paas.ENOTFOUND, "app %q not found", name)
	}
	return &paas.App{Name: name}, nil
}

// recordingPushes reads the pushed commit with git, proving the objects are
// readable during the hook, and fails commits whose message says "fail".
type recordingPushes struct {
	mu     sync.Mutex
	pushes []Push
}

func (r *recordingPushes) HandlePush(ctx context.Context, p Push, out io.Writer) error {
	r.mu.Lock()
	r.pushes = append(r.pushes, p)
	r.mu.Unlock()
	msg, err := exec.CommandContext(ctx, "git", "--git-dir", p.RepoPath, "log", "-1", "--format=%s", p.Updates[0].New).CombinedOutput()
	if err != nil {
		return fmt.Errorf("read pushed commit: %v: %s", err, msg)
	}
	fmt.Fprintf(out, "building %s", msg)
	if strings.Contains(string(msg), "fail") {
		return paas.Errorf(paas.EINVALID, "the build failed on purpose")
	}
	return nil
}

func newTestServer(t *testing.T) (*Server, string, *recordingPushes, *recordingAudit) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pushes := &recordingPushes{}
	ts := httptest.NewUnstartedServer(nil)
	srv, err := New(Options{ReposDir: t.TempDir(), HookCommand: exe, HookURL: "http://" + ts.Listener.Addr().String() + "/hooks"},
		fakeAuth{}, fakeApps{}, pushes, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	audit := &recordingAudit{}
	srv.Audit = audit
	mux := httptestMux(srv)
	ts.Config.Handler = mux
	ts.Start()
	t.Cleanup(ts.Close)
	if err := srv.CreateRepo(context.Background(), "hello"); err != nil {
		t.Fatal(err)
	}
	return srv, ts.URL, pushes, audit
}

func git(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func commitFile(t *testing.T, dir, name, content, msg string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"add", "."}, {"commit", "-q", "-m", msg}} {
		if out, err := git(t, dir, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

func TestPush(t *testing.T) {
	srv, url, pushes, audit := newTestServer(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	remote := strings.Replace(url, "http://", "http://anyone:good-token@", 1) + "/git/hello.git"

	commitFile(t, dir, "a.txt", "one", "first commit")
	out, err := git(t, dir, "push", remote, "main")
	if err != nil || !strings.Contains(out, "remote: building first commit") {
		t.Fatalf("first push: %v\n%s", err, out)
	}
	// A second push sends a thin pack against objects the server has.
	commitFile(t, dir, "a.txt", strings.Repeat("one two\n", 100), "second commit")
	if out, err := git(t, dir, "push", remote, "main"); err != nil || !strings.Contains(out, "remote: building second commit") {
		t.Fatalf("incremental push: %v\n%s", err, out)
	}
	head, _ := git(t, dir, "rev-parse", "HEAD")

	commitFile(t, dir, "a.txt", "three", "fail please")
	out, err = git(t, dir, "push", remote, "main")
	if err == nil || !strings.Contains(out, "the build failed on purpose") || !strings.Contains(out, "pre-receive hook declined") {
		t.Fatalf("failing push: err=%v; want a rejection with the reason:\n%s", err, out)
	}
	served, _ := exec.Command("git", "--git-dir", srv.RepoPath("hello"), "rev-parse", "main").Output()
	if strings.TrimSpace(string(served)) != strings.TrimSpace(head) {
		t.Errorf("server main = %s after a rejected push; want %s", served, head)
	}
	if len(pushes.pushes) != 3 || pushes.pushes[0].User.Name != "admin" || pushes.pushes[0].Updates[0].Ref != "refs/heads/main" {
		t.Errorf("pushes = %+v", pushes.pushes)
	}

	want := []string{
		"git.push hello admin token=11 from=127.0.0.1: ",
		"git.push hello admin token=11 from=127.0.0.1: ",
		"git.push hello admin token=11 from=127.0.0.1: invalid",
	}
	if diff := cmp.Diff(want, audit.list()); diff != "" {
		t.Errorf("recorded pushes (-want +got):\n%s", diff)
	}

	for _, token := range []string{"good-token", "read-token", "viewer-token"} {
		clone := filepath.Join(t.TempDir(), "clone")
		remote := strings.Replace(url, "http://", "http://anyone:"+token+"@", 1) + "/git/hello.git"
		if out, err := git(t, dir, "clone", "-q", remote, clone); err != nil {
			t.Fatalf("clone with %s: %v\n%s", token, err, out)
		}
	}
}

func TestPushRefused(t *testing.T) {
	_, url, pushes, audit := newTestServer(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	commitFile(t, dir, "a.txt", "one", "first")
	for _, tc := range []struct{ name, remote, want string }{
		{"no credentials", url + "/git/hello.git", "could not read Username"},
		{"wrong token", strings.Replace(url, "http://", "http://u:bad@", 1) + "/git/hello.git", "Authentication failed"},
		{"unknown app", strings.Replace(url, "http://", "http://u:good-token@", 1) + "/git/nope.git", "not found"},
		{"bad app name", strings.Replace(url, "http://", "http://u:good-token@", 1) + "/git/..%2fetc.git", "not found"},
		{"read-only token", strings.Replace(url, "http://", "http://u:read-token@", 1) + "/git/hello.git", "this token has scope read"},
		{"viewer", strings.Replace(url, "http://", "http://u:viewer-token@", 1) + "/git/hello.git", "this needs the role deployer"},
		{"stranger", strings.Replace(url, "http://", "http://u:other-token@", 1) + "/git/hello.git", "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := git(t, dir, "push", tc.remote, "main")
			if err == nil || !strings.Contains(out, tc.want) {
				t.Errorf("err=%v; want failure with %q:\n%s", err, tc.want, out)
			}
		})
	}
	if len(pushes.pushes) != 0 {
		t.Errorf("refused pushes reached the pipeline: %+v", pushes.pushes)
	}
	want := []string{
		"git.push nope admin token=11 from=127.0.0.1: not_found",
		"git.push hello admin token=12 from=127.0.0.1: forbidden",
		"git.push hello vera token=21 from=127.0.0.1: forbidden",
		"git.push hello stan token=31 from=127.0.0.1: not_found",
	}
	if diff := cmp.Diff(want, audit.list()); diff != "" {
		t.Errorf("recorded refusals (-want +got):\n%s", diff)
	}
}

func TestHookRefusesForgedCalls(t *testing.T) {
	srv, _, _, _ := newTestServer(t)
	id, _ := srv.registerPush("hello", pusher{user: &paas.User{Name: "admin"}})
	for _, tc := range []struct{ name, id, token string }{
		{"unknown push", "nope", "x"},
		{"wrong token", id, "wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := srv.claimPush(tc.id, tc.token); ok {
				t.Error("forged hook call was accepted")
			}
		})
	}
}

func TestSplitRepoPath(t *testing.T) {
	for _, tc := range []struct {
		path, app, rest string
		ok              bool
	}{
		{"/git/hello.git/info/refs", "hello", "info/refs", true},
		{"/git/hello.git/git-receive-pack", "hello", "git-receive-pack", true},
		{"/git/hello/info/refs", "", "", false},
		{"/git/hello.git", "", "", false},
	} {
		app, rest, ok := splitRepoPath(tc.path)
		if app != tc.app || rest != tc.rest || ok != tc.ok {
			t.Errorf("splitRepoPath(%q) = %q, %q, %v", tc.path, app, rest, ok)
		}
	}
}
