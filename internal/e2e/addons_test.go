package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// addonImages are the images deploy/images.sh makes for add-ons.
var addonImages = []string{"paas/addon-postgres:15", "paas/addon-redis:7"}

// requireAddonImages skips the test (fails it under CI=true) when
// deploy/images.sh has not made the add-on images.
func requireAddonImages(t *testing.T) {
	t.Helper()
	for _, img := range addonImages {
		if exec.Command("docker", "image", "inspect", img).Run() != nil {
			msg := fmt.Sprintf("image %s is missing; make it with deploy/images.sh", img)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// newAddonsApp writes the add-ons sample app into a fresh git repository.
func newAddonsApp(t *testing.T, s *stack) string {
	dir := filepath.Join(t.TempDir(), "shop")
	copyDir(t, "../../testdata/apps/addons", dir)
	s.mustGit(dir, "init", "-q", "-b", "main")
	s.mustGit(dir, "add", ".")
	s.mustGit(dir, "commit", "-q", "-m", "sample")
	return dir
}

// page waits until path of app answers 200 with exactly want (trimmed).
func page(t *testing.T, s *stack, app, path, want string) {
	t.Helper()
	eventually(t, 60*time.Second, func() string {
		code, body := s.get(app, path)
		if code != 200 || strings.TrimSpace(body) != want {
			return fmt.Sprintf("GET %s%s = %d %q, want %q", app, path, code, body, want)
		}
		return ""
	})
}

func TestAddons(t *testing.T) {
	requireAddonImages(t)
	s := newTestStack(t)
	t.Cleanup(func() { stopAddons(t, s) })
	login(t, s)
	dir := newAddonsApp(t, s)
	s.mustPaas(dir, "apps:create", "shop")

	out := s.mustGit(dir, "push", "paas", "main")
	for _, want := range []string{"app.yml declares postgres", "Provisioning postgres add-on shop-postgres", "shop-postgres is healthy", "Released v1"} {
		if !strings.Contains(out, want) {
			t.Errorf("push output lacks %q:\n%s", want, out)
		}
	}
	serves(t, s, "shop", "addons sample")
	page(t, s, "shop", "/cgi-bin/pg?add=apple", "ok")
	page(t, s, "shop", "/cgi-bin/pg?add=banana", "ok")
	page(t, s, "shop", "/cgi-bin/pg", "apple\nbanana")
	dbURL := strings.TrimSpace(s.mustPaas(dir, "config:get", "DATABASE_URL"))

	t.Run("redis through REDIS_URL", func(t *testing.T) {
		out := s.mustPaas(dir, "addons:create", "redis")
		if !strings.Contains(out, "done, shop-redis (dev)") || !strings.Contains(out, "Attached as REDIS_URL (v2)") {
			t.Errorf("addons:create redis: %q", out)
		}
		page(t, s, "shop", "/cgi-bin/redis?set=hello", "OK")
		page(t, s, "shop", "/cgi-bin/redis", "hello")
	})

	t.Run("list and info show no credentials", func(t *testing.T) {
		list := s.mustPaas(dir, "addons")
		info := s.mustPaas(dir, "addons:info", "shop-postgres")
		asJSON := s.mustPaas(dir, "addons", "--json")
		for _, want := range []string{"shop-postgres", "shop-redis", "shop:DATABASE_URL", "shop:REDIS_URL"} {
			if !strings.Contains(list, want) {
				t.Errorf("paas addons lacks %q:\n%s", want, list)
			}
		}
		if !strings.Contains(info, "shop as DATABASE_URL") || !strings.Contains(info, "available (running)") {
			t.Errorf("addons:info:\n%s", info)
		}
		if pw := password(t, dbURL); strings.Contains(list+info+asJSON, pw) {
			t.Error("an add-on listing shows its password")
		}
	})

	t.Run("backup, delete the rows, restore", func(t *testing.T) {
		out := s.mustPaas(dir, "pg:backups:capture")
		if !strings.Contains(out, "done, b001") {
			t.Fatalf("pg:backups:capture: %q", out)
		}
		var backups []paas.Backup
		decode(t, s.mustPaas(dir, "pg:backups", "--json"), &backups)
		if len(backups) != 1 || backups[0].Size == 0 || len(backups[0].SHA256) != 64 || backups[0].Addon != "shop-postgres" {
			t.Fatalf("pg:backups = %+v", backups)
		}
		if _, err := os.Stat(filepath.Join(s.dataDir, "backups", "shop-postgres", "1.dump")); err != nil {
			t.Errorf("backup file: %v", err)
		}
		if table := s.mustPaas(dir, "pg:backups"); !strings.Contains(table, "b001") || !strings.Contains(table, backups[0].SHA256[:16]) {
			t.Errorf("pg:backups table:\n%s", table)
		}
		page(t, s, "shop", "/cgi-bin/pg?clear", "ok")
		page(t, s, "shop", "/cgi-bin/pg", "")
		if out := s.mustPaas(dir, "pg:backups:restore", "b001"); !strings.Contains(out, "Restoring b001 into shop-postgres... done") {
			t.Errorf("pg:backups:restore: %q", out)
		}
		page(t, s, "shop", "/cgi-bin/pg", "apple\nbanana")
	})

	t.Run("data outlives a restart of the add-on", func(t *testing.T) {
		for _, addon := range []string{"shop-postgres", "shop-redis"} {
			restartAddon(t, s, addon)
		}
		page(t, s, "shop", "/cgi-bin/pg", "apple\nbanana")
		page(t, s, "shop", "/cgi-bin/redis", "hello")
	})

	t.Run("bad input is refused and changes nothing", func(t *testing.T) {
		refused := func(want string, args ...string) {
			t.Helper()
			out, err := s.paas(dir, args...)
			if err == nil || !strings.Contains(out, want) {
				t.Errorf("paas %s: err=%v; want a refusal saying %q:\n%s", strings.Join(args, " "), err, want, out)
			}
		}
		refused("unknown add-on type \"mysql\"; the types are: postgres, redis", "addons:create", "mysql")
		refused("plan \"huge\" is not offered for postgres; the plans are: dev", "addons:create", "postgres", "--plan", "huge")
		refused(`app "nope" not found`, "addons:create", "postgres", "-a", "nope")
		refused("already has the config var DATABASE_URL", "addons:create", "postgres")
		refused("is attached to shop (DATABASE_URL); detach it first", "addons:destroy", "shop-postgres", "--confirm", "shop-postgres")
		refused("did not match", "addons:destroy", "shop-postgres", "--confirm", "shop-redis")
		var all []paas.Addon
		decode(t, s.mustPaas(dir, "addons", "--json"), &all)
		if len(all) != 2 {
			t.Errorf("after refusals there are %d add-ons; want 2", len(all))
		}
		page(t, s, "shop", "/cgi-bin/pg", "apple\nbanana")
	})

	t.Run("a second app", func(t *testing.T) { secondApp(t, s, dir) })

	if pw := password(t, dbURL); strings.Contains(s.logs.String(), pw) {
		t.Error("an add-on password appears in the platform's logs")
	}
}

// secondApp attaches shop's database to shop2 under another name, gives
// shop2 its own database on push, restores shop's backup into it (only
// when confirmed), then detaches and destroys.
func secondApp(t *testing.T, s *stack, dir string) {
	s.mustPaas(dir, "apps:create", "shop2", "--remote", "shop2")
	out := s.mustPaas(dir, "addons:attach", "shop-postgres", "-a", "shop2", "--as", "ANALYTICS")
	if !strings.Contains(out, "Attached as ANALYTICS_URL; the app has no release yet") {
		t.Errorf("addons:attach: %q", out)
	}
	if out := s.mustGit(dir, "push", "shop2", "main"); !strings.Contains(out, "Provisioning postgres add-on shop2-postgres") {
		t.Fatalf("push of shop2:\n%s", out)
	}
	cfg := s.mustPaas(dir, "config", "-a", "shop2", "--json")
	var vars map[string]string
	decode(t, cfg, &vars)
	if vars["ANALYTICS_URL"] == "" || vars["DATABASE_URL"] == "" || vars["ANALYTICS_URL"] == vars["DATABASE_URL"] {
		t.Fatalf("shop2's config has %v; want its own DATABASE_URL and shop's as ANALYTICS_URL", keys(vars))
	}
	page(t, s, "shop2", "/cgi-bin/pg", "")

	out, err := s.paas(dir, "pg:backups:restore", "b001", "-a", "shop2")
	if err == nil || !strings.Contains(out, "backup b001 is of the add-on shop-postgres, not shop2-postgres") || !strings.Contains(out, "--confirm shop2-postgres") {
		t.Errorf("restore of another add-on's backup without confirmation: err=%v\n%s", err, out)
	}
	page(t, s, "shop2", "/cgi-bin/pg", "")
	s.mustPaas(dir, "pg:backups:restore", "b001", "-a", "shop2", "--confirm", "shop2-postgres")
	page(t, s, "shop2", "/cgi-bin/pg", "apple\nbanana")

	s.mustPaas(dir, "addons:detach", "shop-postgres", "-a", "shop2")
	if out, err := s.paas(dir, "config:get", "ANALYTICS_URL", "-a", "shop2"); err == nil {
		t.Errorf("ANALYTICS_URL is still set after detach: %q", out)
	}
	if out := s.mustPaas(dir, "addons:destroy", "shop2-postgres", "-a", "shop2", "--force", "--confirm", "shop2-postgres"); !strings.Contains(out, "Destroying shop2-postgres... done") {
		t.Errorf("addons:destroy --force: %q", out)
	}
	if out, err := s.paas(dir, "config:get", "DATABASE_URL", "-a", "shop2"); err == nil {
		t.Errorf("DATABASE_URL is still set after a forced destroy: %q", out)
	}
	if code := nomadStatus(t, s, "/v1/job/paas-addon-shop2-postgres"); code != http.StatusNotFound {
		t.Errorf("the destroyed add-on's job: GET = %d, want 404", code)
	}
	page(t, s, "shop", "/cgi-bin/pg", "apple\nbanana")
}

// stopAddons stops the jobs of add-ons and waits until their processes
// are gone. It runs before the data directory is removed: Redis will not
// exit on SIGTERM when it cannot save its data, and the Nomad agent's stop
// would wait out its kill timeout.
func stopAddons(t *testing.T, s *stack) {
	var jobs []struct{ ID string }
	resp, err := http.Get(s.nomadAddr + "/v1/jobs?prefix=paas-addon-")
	if err != nil {
		t.Errorf("list add-on jobs: %v", err)
		return
	}
	json.NewDecoder(resp.Body).Decode(&jobs)
	resp.Body.Close()
	for _, j := range jobs {
		req, _ := http.NewRequest(http.MethodDelete, s.nomadAddr+"/v1/job/"+j.ID, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	deadline := time.Now().Add(45 * time.Second)
	for _, j := range jobs {
		for liveAllocs(t, s, j.ID) > 0 && time.Now().Before(deadline) {
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// liveAllocs counts the allocations of job whose process has not ended.
func liveAllocs(t *testing.T, s *stack, job string) int {
	var allocs []struct{ ClientStatus string }
	resp, err := http.Get(s.nomadAddr + "/v1/job/" + job + "/allocations")
	if err != nil {
		t.Errorf("list allocations of %s: %v", job, err)
		return 0
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&allocs)
	n := 0
	for _, a := range allocs {
		if a.ClientStatus == "running" || a.ClientStatus == "pending" {
			n++
		}
	}
	return n
}

// restartAddon stops the running allocation of an add-on, as a node drain
// would, and waits until Nomad runs a new one.
func restartAddon(t *testing.T, s *stack, addon string) {
	t.Helper()
	old := runningAlloc(t, s, addon)
	if old == "" {
		t.Fatalf("add-on %s has no running allocation", addon)
	}
	if code := nomadPost(t, s, "/v1/allocation/"+old+"/stop"); code != http.StatusOK {
		t.Fatalf("stop allocation %s: %d", old, code)
	}
	eventually(t, 90*time.Second, func() string {
		if now := runningAlloc(t, s, addon); now == "" || now == old {
			return "no new allocation of " + addon + " yet"
		}
		return ""
	})
}

// runningAlloc returns the ID of the running allocation of addon's job.
func runningAlloc(t *testing.T, s *stack, addon string) string {
	var allocs []struct{ ID, ClientStatus, DesiredStatus string }
	resp, err := http.Get(s.nomadAddr + "/v1/job/paas-addon-" + addon + "/allocations")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&allocs)
	for _, a := range allocs {
		if a.ClientStatus == "running" && a.DesiredStatus == "run" {
			return a.ID
		}
	}
	return ""
}

func nomadPost(t *testing.T, s *stack, path string) int {
	resp, err := http.Post(s.nomadAddr+path, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func nomadStatus(t *testing.T, s *stack, path string) int {
	resp, err := http.Get(s.nomadAddr + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// password returns the password of a URL.
func password(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse the add-on URL: %v", err)
	}
	pw, ok := u.User.Password()
	if !ok || len(pw) < 20 {
		t.Fatalf("the add-on URL has no proper password")
	}
	return pw
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
