// Package e2e drives the platform as a user does: the real paas CLI and the
// real git client against paasd and paas-router processes, on a real
// PostgreSQL, Nomad agent and Docker Engine.
package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/nomadtest"
	"github.com/gitpaas/paas/internal/pgtest"
)

func TestMain(m *testing.M) {
	dir, err := buildBinaries()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := pgtest.Main(m)
	os.RemoveAll(dir)
	removeImages(imageRepository())
	os.Exit(code)
}

// imageRepository prefixes the images the platforms of this test process
// build, so that they can be told from any other platform's.
func imageRepository() string { return fmt.Sprintf("paas-e2e-%d", os.Getpid()) }

// removeImages deletes the images whose names start with repo/, which the
// apps a test left behind (or a failed test) still hold.
func removeImages(repo string) {
	out, err := exec.Command("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "reference="+repo+"/*").Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: list images of %s: %v\n", repo, err)
		return
	}
	refs := strings.Fields(string(out))
	if len(refs) == 0 {
		return
	}
	if out, err := exec.Command("docker", append([]string{"rmi"}, refs...)...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: remove images of %s: %v\n%s", repo, err, out)
	}
}

func newTestStack(t *testing.T) *stack {
	nomadAddr := nomadtest.Start(t)
	return newStack(t, pgtest.DSN(t), nomadAddr)
}

// newApp writes the sample app into a fresh git repository whose page says
// greeting, and returns its directory.
func newApp(t *testing.T, s *stack, greeting string) string {
	dir := filepath.Join(t.TempDir(), "app")
	copyDir(t, "../../testdata/apps/hello-dockerfile", dir)
	writeFile(t, filepath.Join(dir, "www", "index.html"), greeting+"\n")
	s.mustGit(dir, "init", "-q", "-b", "main")
	s.mustGit(dir, "add", ".")
	s.mustGit(dir, "commit", "-q", "-m", "first")
	return dir
}

func commit(t *testing.T, s *stack, dir, file, content string) {
	writeFile(t, filepath.Join(dir, file), content)
	s.mustGit(dir, "add", "-A")
	s.mustGit(dir, "commit", "-q", "-m", "change "+file)
}

func login(t *testing.T, s *stack) {
	out := s.mustPaas("", "login", "--api", s.apiURL(), "--token", s.adminToken())
	if !strings.Contains(out, "admin") {
		t.Fatalf("login output %q does not name the user", out)
	}
	info, err := os.Stat(filepath.Join(s.home, ".netrc"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("~/.netrc after login: %v, mode %v; want 0600", err, info.Mode())
	}
}

// serves waits until app answers 200 with want in its body.
func serves(t *testing.T, s *stack, app, want string) {
	t.Helper()
	eventually(t, 30*time.Second, func() string {
		code, body := s.get(app, "/")
		if code != 200 || !strings.Contains(body, want) {
			return fmt.Sprintf("GET %s: %d %q, want 200 with %q", app, code, body, want)
		}
		return ""
	})
}

func TestPushDeploysAndRedeploys(t *testing.T) {
	s := newTestStack(t)
	login(t, s)
	dir := newApp(t, s, "hello, version one")

	out := s.mustPaas(dir, "apps:create", "hello")
	for _, want := range []string{"hello", "/git/hello.git", "hello.localhost:" + s.routerPort} {
		if !strings.Contains(out, want) {
			t.Errorf("apps:create output lacks %q:\n%s", want, out)
		}
	}
	if remotes := s.mustGit(dir, "remote", "-v"); !strings.Contains(remotes, "paas\t"+s.apiURL()+"/git/hello.git") {
		t.Fatalf("apps:create did not add the paas remote:\n%s", remotes)
	}

	out = s.mustGit(dir, "push", "paas", "main")
	for _, want := range []string{"remote: -----> Building hello", "Step 1/", "remote: -----> Released v1"} {
		if !strings.Contains(out, want) {
			t.Errorf("push output lacks %q:\n%s", want, out)
		}
	}
	code, body := s.get("hello", "/")
	if code != 200 || !strings.Contains(body, "version one") {
		t.Fatalf("right after the push: GET hello = %d %q; want the new release", code, body)
	}

	commit(t, s, dir, "www/index.html", "hello, version two\n")
	out = s.mustGit(dir, "push", "paas", "main")
	if !strings.Contains(out, "Released v2") {
		t.Fatalf("second push did not release v2:\n%s", out)
	}
	serves(t, s, "hello", "version two")

	var releases []paas.Release
	decode(t, s.mustPaas(dir, "releases", "--json"), &releases)
	if len(releases) != 2 || releases[0].Version != 2 || !releases[0].Current || releases[1].Version != 1 {
		t.Fatalf("releases = %+v; want v2 (current) and v1", releases)
	}
	if out := s.mustPaas(dir, "releases"); !strings.Contains(out, "v2") || !strings.Contains(out, "v1") {
		t.Errorf("paas releases does not list both:\n%s", out)
	}
	var builds []paas.Build
	decode(t, s.mustPaas(dir, "builds", "--json"), &builds)
	if len(builds) != 2 || builds[0].Status != paas.BuildSucceeded {
		t.Fatalf("builds = %+v; want two succeeded builds", builds)
	}
	if out := s.mustPaas(dir, "builds:info", fmt.Sprint(builds[0].ID)); !strings.Contains(out, "Step 1/") {
		t.Errorf("builds:info does not show the build log:\n%s", out)
	}

	t.Run("bad input leaves v2 serving", func(t *testing.T) { badInput(t, s, dir) })

	t.Run("destroy", func(t *testing.T) {
		if out, err := s.run(dir, "wrong-name\n", filepath.Join(binDir, "paas"), "apps:destroy"); err == nil {
			t.Fatalf("destroy with a wrong confirmation went ahead:\n%s", out)
		}
		serves(t, s, "hello", "version two")
		s.mustPaas(dir, "apps:destroy", "--confirm", "hello")
		eventually(t, 30*time.Second, func() string {
			if code, _ := s.get("hello", "/"); code != 404 {
				return fmt.Sprintf("GET hello after destroy = %d; want 404", code)
			}
			return ""
		})
		if _, err := os.Stat(filepath.Join(s.dataDir, "repos", "hello.git")); !os.IsNotExist(err) {
			t.Errorf("the repository outlived its app: %v", err)
		}
		if out, err := s.paas("", "apps:info", "-a", "hello"); err == nil || !strings.Contains(out, "not found") {
			t.Errorf("apps:info after destroy: %v %q", err, out)
		}
	})
}

func badInput(t *testing.T, s *stack, dir string) {
	head := strings.Fields(s.mustGit(dir, "rev-parse", "HEAD"))[0]
	for _, name := range []string{"Upper", "../x", "a;rm -rf", "-lead", "x" + strings.Repeat("y", 30), "hello"} {
		out, err := s.paas("", "apps:create", "--", name)
		if err == nil || !(strings.Contains(out, "app name") || strings.Contains(out, "already exists")) {
			t.Errorf("apps:create %q: err=%v, output %q; want a clear refusal", name, err, out)
		}
	}
	var apps []map[string]any
	decode(t, s.mustPaas("", "apps", "--json"), &apps)
	if len(apps) != 1 {
		t.Errorf("after refused creates there are %d apps; want 1", len(apps))
	}

	rejected := func(what, want string, args ...string) {
		t.Helper()
		out, err := s.git(dir, args...)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("%s: err=%v; want rejection mentioning %q:\n%s", what, err, want, out)
		}
	}
	s.mustGit(dir, "checkout", "-q", "-b", "feature")
	rejected("push of a feature branch", "only main or master", "push", "paas", "feature")
	s.mustGit(dir, "checkout", "-q", "main")

	commit(t, s, dir, "Dockerfile", "FROM paas/busybox:1.35\nRUN echo compiling && echo the-build-broke >&2 && exit 3\n")
	rejected("push of a failing Dockerfile", "the-build-broke", "push", "paas", "main")

	commit(t, s, dir, "Dockerfile", "FROM paas/busybox:1.35\nCMD echo boom-on-start; exit 1\n")
	rejected("push of an image that crashes", "boom-on-start", "push", "paas", "main")

	s.mustGit(dir, "rm", "-q", "Dockerfile")
	s.mustGit(dir, "commit", "-q", "-m", "no dockerfile")
	rejected("push without a Dockerfile", "Dockerfile", "push", "paas", "main")

	rejected("push with a wrong token", "Authentication failed",
		"push", strings.Replace(s.apiURL(), "http://", "http://u:wrong@", 1)+"/git/hello.git", "main")
	rejected("push to an app that does not exist", "not found", "push", s.apiURL()+"/git/nope.git", "main")

	serves(t, s, "hello", "version two")
	if remote := s.mustGit(dir, "ls-remote", "paas", "refs/heads/main"); !strings.HasPrefix(remote, head) {
		t.Errorf("server main moved to %q after rejected pushes; want %s", remote, head)
	}
	var app struct{ Release int }
	decode(t, s.mustPaas("", "apps:info", "-a", "hello", "--json"), &app)
	if app.Release != 2 {
		t.Errorf("current release is v%d after failures; want v2", app.Release)
	}
}

func TestPaasdKilledMidBuild(t *testing.T) {
	s := newTestStack(t)
	login(t, s)
	dir := newApp(t, s, "slow app, first")
	s.mustPaas(dir, "apps:create", "slow")
	s.mustGit(dir, "push", "-q", "paas", "main")
	serves(t, s, "slow", "slow app, first")

	// A build that takes long enough to kill paasd in the middle of it.
	commit(t, s, dir, "Dockerfile", fmt.Sprintf("FROM paas/busybox:1.35\nRUN echo %d && sleep 60\nCOPY www/ /www/\nCMD exec httpd -f -p $PORT -h /www\n", time.Now().UnixNano()))
	pushed := make(chan string, 1)
	go func() { out, _ := s.git(dir, "push", "paas", "main"); pushed <- out }()
	var running int64
	eventually(t, 60*time.Second, func() string {
		var builds []paas.Build
		out, _ := s.paas(dir, "builds", "--json")
		if json.Unmarshal([]byte(out), &builds) != nil || len(builds) == 0 || builds[0].Status != paas.BuildBuilding {
			return "no running build yet"
		}
		running = builds[0].ID
		return ""
	})
	time.Sleep(time.Second)
	s.stopPaasd(syscall.SIGKILL)
	if out := <-pushed; !strings.Contains(out, "rejected") && !strings.Contains(out, "error") {
		t.Errorf("the interrupted push did not fail:\n%s", out)
	}
	s.startPaasd()

	var b paas.Build
	decode(t, s.mustPaas(dir, "builds:info", fmt.Sprint(running), "--json"), &b)
	if b.Status != paas.BuildFailed || !strings.Contains(b.Error, "interrupted") {
		t.Errorf("interrupted build after restart = %s %q; want failed, interrupted", b.Status, b.Error)
	}
	serves(t, s, "slow", "slow app, first")

	commit(t, s, dir, "Dockerfile", "FROM paas/busybox:1.35\nCOPY www/ /www/\nCMD exec httpd -f -p $PORT -h /www\n")
	commit(t, s, dir, "www/index.html", "slow app, second\n")
	if out, err := s.git(dir, "push", "paas", "main"); err != nil {
		t.Fatalf("push after restart (the build lock must be free): %v\n%s", err, out)
	}
	serves(t, s, "slow", "slow app, second")
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}
