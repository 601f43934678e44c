package addons_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/addons"
	"github.com/gitpaas/paas/internal/addons/postgres"
	"github.com/gitpaas/paas/internal/addons/redis"
	"github.com/gitpaas/paas/internal/pgtest"
	store "github.com/gitpaas/paas/internal/postgres"
	"github.com/gitpaas/paas/internal/secrets"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var admin = &paas.User{Name: "admin", Admin: true}

// fakeRunner runs add-ons in memory: each has a byte slice for its data,
// which the backup command prints and the restore command replaces.
type fakeRunner struct {
	mu        sync.Mutex
	jobs      map[string]paas.AddonJob
	data      map[string][]byte
	failNext  error
	destroyed []string
	restoreRC int
}

func newFakeRunner() *fakeRunner {
	return &fakeRunner{jobs: map[string]paas.AddonJob{}, data: map[string][]byte{}}
}

func (f *fakeRunner) DeployAddon(_ context.Context, j paas.AddonJob, out io.Writer) (paas.Endpoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failNext; err != nil {
		f.failNext = nil
		return paas.Endpoint{}, err
	}
	f.jobs[j.Addon] = j
	if f.data[j.Addon] == nil {
		f.data[j.Addon] = []byte("fake dump of " + j.Addon)
	}
	return paas.Endpoint{Host: "172.17.0.1", Port: j.Port}, nil
}

func (f *fakeRunner) DestroyAddon(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.jobs, name)
	f.destroyed = append(f.destroyed, name)
	return nil
}

func (f *fakeRunner) AddonStatus(_ context.Context, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.jobs[name]; ok {
		return "running", nil
	}
	return "missing", nil
}

func (f *fakeRunner) ExecAddon(_ context.Context, name string, cmd []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.jobs[name]; !ok {
		return 0, paas.Errorf(paas.EUNAVAILABLE, "add-on %s is not running", name)
	}
	switch cmd[len(cmd)-1] {
	case "restore":
		if f.restoreRC != 0 {
			io.WriteString(stderr, "pg_restore: error: something\n")
			return f.restoreRC, nil
		}
		b, _ := io.ReadAll(stdin)
		f.data[name] = b
		return 0, nil
	}
	return 127, nil
}

func (f *fakeRunner) ExecAddonFile(_ context.Context, name string, cmd []string, out, stderr io.Writer) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.jobs[name]; !ok {
		return 0, paas.Errorf(paas.EUNAVAILABLE, "add-on %s is not running", name)
	}
	if cmd[len(cmd)-1] != "backup" {
		return 127, nil
	}
	out.Write(f.data[name])
	return 0, nil
}

// fakeConfig applies config changes to the store, as a release that
// succeeds would, or fails.
type fakeConfig struct {
	db    *store.DB
	fail  error
	calls []map[string]*string
}

func (c *fakeConfig) SetConfig(ctx context.Context, app string, _ *paas.User, changes map[string]*string, _ io.Writer) (*paas.Release, map[string]string, error) {
	c.calls = append(c.calls, changes)
	if c.fail != nil {
		return nil, nil, c.fail
	}
	cfg, err := c.db.UpdateConfig(ctx, app, changes)
	return &paas.Release{App: app, Version: len(c.calls)}, cfg, err
}

type fixture struct {
	svc    *addons.Service
	db     *store.DB
	runner *fakeRunner
	config *fakeConfig
	data   string
	busy   []int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secrets.New(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	db.SetCipher(box)
	f := &fixture{db: db, runner: newFakeRunner(), config: &fakeConfig{db: db}, data: t.TempDir()}
	reg := addons.NewRegistry(postgres.Provider{}, redis.Provider{})
	opts := addons.Options{DataDir: f.data, PortMin: 16000, PortMax: 16003,
		PortFree: func(p int) bool { return !slices.Contains(f.busy, p) }}
	f.svc, err = addons.New(opts, reg, db, f.runner, f.runner, f.config, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range []string{"hello", "other"} {
		if _, err := db.CreateApp(t.Context(), app, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) vars(t *testing.T, app string) map[string]string {
	t.Helper()
	cfg, err := f.db.GetConfig(t.Context(), app)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func checkCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := paas.ErrorCode(err); got != want {
		t.Fatalf("error = %v (code %q), want code %q", err, got, want)
	}
}

func TestCreateAttachesWithURL(t *testing.T) {
	f := newFixture(t)
	f.busy = []int{16000}
	ch, err := f.svc.Create(t.Context(), addons.CreateRequest{Type: "postgres", App: "hello"}, admin, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a := ch.Addon
	if a.Name != "hello-postgres" || a.Plan != "dev" || a.Port != 16001 || a.State != paas.AddonAvailable || ch.Release == nil {
		t.Fatalf("created %+v, release %v; want hello-postgres, dev, on 16001 (16000 is busy)", a, ch.Release)
	}
	url := f.vars(t, "hello")["DATABASE_URL"]
	if url != "postgres://app:"+a.Password+"@172.17.0.1:16001/app?sslmode=disable" || len(a.Password) < 20 {
		t.Errorf("DATABASE_URL = %q", url)
	}
	j := f.runner.jobs["hello-postgres"]
	if j.DataDir != filepath.Join(f.data, "addons", "hello-postgres") || j.Env["PAAS_ADDON_PASSWORD"] != a.Password || j.Image != postgres.Image {
		t.Errorf("job %+v", j)
	}
	if info, err := os.Stat(j.DataDir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("data dir: %v, %v", info, err)
	}

	second, err := f.svc.Create(t.Context(), addons.CreateRequest{Type: "postgres", App: "hello", As: "ANALYTICS"}, admin, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if second.Addon.Name != "hello-postgres-2" || second.Addon.Port != 16002 || f.vars(t, "hello")["ANALYTICS_URL"] == "" {
		t.Errorf("second add-on %+v", second.Addon)
	}
}

func TestCreateRefusesBadInputAndProvisionsNothing(t *testing.T) {
	f := newFixture(t)
	set := "postgres://elsewhere"
	if _, err := f.db.UpdateConfig(t.Context(), "hello", map[string]*string{"DATABASE_URL": &set}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  addons.CreateRequest
		code string
		msg  string
	}{
		{"unknown type", addons.CreateRequest{Type: "mysql", App: "other"}, paas.EINVALID, `unknown add-on type "mysql"; the types are: postgres, redis`},
		{"unknown plan", addons.CreateRequest{Type: "redis", Plan: "huge", App: "other"}, paas.EINVALID, `plan "huge" is not offered for redis; the plans are: dev`},
		{"no such app", addons.CreateRequest{Type: "redis", App: "nope"}, paas.ENOTFOUND, `app "nope" not found`},
		{"var set by hand", addons.CreateRequest{Type: "postgres", App: "hello"}, paas.ECONFLICT, "already has the config var DATABASE_URL"},
		{"bad attachment name", addons.CreateRequest{Type: "postgres", App: "other", As: "lower"}, paas.EINVALID, "attachment name"},
		{"bad name", addons.CreateRequest{Type: "postgres", App: "other", Name: "My_DB"}, paas.EINVALID, "add-on name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Create(t.Context(), tt.req, admin, io.Discard)
			checkCode(t, err, tt.code)
			if !strings.Contains(paas.ErrorMessage(err), tt.msg) {
				t.Errorf("message %q lacks %q", paas.ErrorMessage(err), tt.msg)
			}
		})
	}
	if len(f.runner.jobs) != 0 || f.vars(t, "hello")["DATABASE_URL"] != set {
		t.Errorf("refused creates left jobs %v or changed config", f.runner.jobs)
	}
}

func TestCreateUndoesFailedProvision(t *testing.T) {
	f := newFixture(t)
	f.runner.failNext = paas.Errorf(paas.EINVALID, "add-on failed to start: boom")
	_, err := f.svc.Create(t.Context(), addons.CreateRequest{Type: "postgres", App: "hello"}, admin, io.Discard)
	if !strings.Contains(paas.ErrorMessage(err), "boom") {
		t.Fatalf("Create: %v", err)
	}
	if all, _ := f.svc.List(t.Context(), ""); len(all) != 0 {
		t.Errorf("a failed provision left %d add-ons", len(all))
	}
	if _, err := os.Stat(filepath.Join(f.data, "addons", "hello-postgres")); !os.IsNotExist(err) {
		t.Errorf("a failed provision left its data dir: %v", err)
	}
	if _, ok := f.vars(t, "hello")["DATABASE_URL"]; ok {
		t.Error("a failed provision set DATABASE_URL")
	}
	if _, err := f.svc.Create(t.Context(), addons.CreateRequest{Type: "postgres", App: "hello"}, admin, io.Discard); err != nil {
		t.Errorf("create after a failed one: %v", err)
	}
}

func TestAttachFailingReleaseUndoesAttachment(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.Create(t.Context(), addons.CreateRequest{Type: "redis", App: "hello"}, admin, io.Discard); err != nil {
		t.Fatal(err)
	}
	f.config.fail = paas.Errorf(paas.EINVALID, "release v3 failed to start")
	_, err := f.svc.Attach(t.Context(), "hello-redis", "other", "", admin, io.Discard)
	checkCode(t, err, paas.EINVALID)
	a, _ := f.svc.Get(t.Context(), "hello-redis")
	if len(a.Attachments) != 1 || a.Attachments[0].App != "hello" {
		t.Errorf("attachments after a failed attach: %+v", a.Attachments)
	}
}

func TestAttachDetachDestroy(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.svc.Create(ctx, addons.CreateRequest{Type: "postgres", App: "hello"}, admin, io.Discard); err != nil {
		t.Fatal(err)
	}
	ch, err := f.svc.Attach(ctx, "hello-postgres", "other", "ANALYTICS", admin, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Addon.Attachments) != 2 || f.vars(t, "other")["ANALYTICS_URL"] != f.vars(t, "hello")["DATABASE_URL"] {
		t.Fatalf("after attach: %+v", ch.Addon.Attachments)
	}
	_, err = f.svc.Attach(ctx, "hello-postgres", "other", "ANALYTICS", admin, io.Discard)
	checkCode(t, err, paas.ECONFLICT)
	_, err = f.svc.Attach(ctx, "nope", "other", "", admin, io.Discard)
	checkCode(t, err, paas.ENOTFOUND)

	if a, err := f.svc.ForApp(ctx, "other", "hello-postgres"); err != nil || a.Status != "running" {
		t.Errorf("ForApp of an attached add-on: %+v, %v", a, err)
	}
	err = f.svc.Destroy(ctx, "other", "hello-postgres", true, admin, io.Discard)
	checkCode(t, err, paas.EFORBIDDEN)
	err = f.svc.Destroy(ctx, "hello", "hello-postgres", false, admin, io.Discard)
	checkCode(t, err, paas.ECONFLICT)
	if !strings.Contains(paas.ErrorMessage(err), "hello (DATABASE_URL), other (ANALYTICS_URL)") {
		t.Errorf("destroy refusal: %v", err)
	}

	if _, err := f.svc.Detach(ctx, "hello-postgres", "other", admin, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.vars(t, "other")["ANALYTICS_URL"]; ok {
		t.Error("detach left ANALYTICS_URL")
	}
	_, err = f.svc.Detach(ctx, "hello-postgres", "other", admin, io.Discard)
	checkCode(t, err, paas.ENOTFOUND)
	_, err = f.svc.Detach(ctx, "hello-postgres", "nope", admin, io.Discard)
	checkCode(t, err, paas.ENOTFOUND)
	_, err = f.svc.ForApp(ctx, "other", "hello-postgres")
	checkCode(t, err, paas.ENOTFOUND)
	if _, ok := f.runner.jobs["hello-postgres"]; !ok {
		t.Error("detach stopped the add-on; its data must be kept")
	}

	if err := f.svc.Destroy(ctx, "hello", "hello-postgres", true, admin, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.vars(t, "hello")["DATABASE_URL"]; ok || !slices.Contains(f.runner.destroyed, "hello-postgres") {
		t.Errorf("forced destroy: DATABASE_URL left (%v) or job not destroyed (%v)", ok, f.runner.destroyed)
	}
	if _, err := os.Stat(filepath.Join(f.data, "addons", "hello-postgres")); !os.IsNotExist(err) {
		t.Errorf("destroy left the data dir: %v", err)
	}
	_, err = f.svc.Get(ctx, "hello-postgres")
	checkCode(t, err, paas.ENOTFOUND)
}

func TestProvisionDeclared(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	var out bytes.Buffer
	vars, err := f.svc.ProvisionDeclared(ctx, "hello", []string{"postgres", "redis"}, map[string]string{}, "admin", &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(vars["DATABASE_URL"], "postgres://app:") || !strings.HasPrefix(vars["REDIS_URL"], "redis://default:") {
		t.Fatalf("vars %v", vars)
	}
	if !strings.Contains(out.String(), "app.yml declares postgres") || len(f.config.calls) != 0 {
		t.Errorf("output %q, SetConfig calls %v (want none: the push's release carries the vars)", out.String(), f.config.calls)
	}
	again, err := f.svc.ProvisionDeclared(ctx, "hello", []string{"postgres", "redis"}, vars, "admin", io.Discard)
	if err != nil || len(again) != 0 || len(f.runner.jobs) != 2 {
		t.Errorf("second push: vars %v, %v, %d jobs; want nothing new", again, err, len(f.runner.jobs))
	}
	missing, err := f.svc.ProvisionDeclared(ctx, "hello", []string{"postgres"}, map[string]string{}, "admin", io.Discard)
	if err != nil || missing["DATABASE_URL"] != vars["DATABASE_URL"] {
		t.Errorf("a release without the var gets it back: %v, %v", missing, err)
	}
	out.Reset()
	byHand, err := f.svc.ProvisionDeclared(ctx, "other", []string{"postgres"}, map[string]string{"DATABASE_URL": "postgres://x"}, "admin", &out)
	if err != nil || len(byHand) != 0 || !strings.Contains(out.String(), "DATABASE_URL is set") {
		t.Errorf("var set by hand: %v, %v, %q", byHand, err, out.String())
	}
}

func TestBackupsCaptureRestore(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, app := range []string{"hello", "other"} {
		if _, err := f.svc.Create(ctx, addons.CreateRequest{Type: "postgres", App: app}, admin, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	f.runner.data["hello-postgres"] = []byte("rows: apple, banana")
	b, err := f.svc.Capture(ctx, "hello-postgres", "admin", false)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(f.data, "backups", "hello-postgres", "1.dump")
	if got, err := os.ReadFile(file); err != nil || string(got) != "rows: apple, banana" || b.Size != 19 || len(b.SHA256) != 64 {
		t.Fatalf("backup %+v, file %q, %v", b, got, err)
	}

	f.runner.data["hello-postgres"] = []byte("rows deleted")
	if err := f.svc.Restore(ctx, "hello-postgres", b.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := string(f.runner.data["hello-postgres"]); got != "rows: apple, banana" {
		t.Errorf("after restore: %q", got)
	}

	t.Run("another add-on's backup needs confirmation", func(t *testing.T) {
		err := f.svc.Restore(ctx, "other-postgres", b.ID, "")
		checkCode(t, err, paas.EINVALID)
		if !strings.Contains(paas.ErrorMessage(err), "pass --confirm other-postgres") || string(f.runner.data["other-postgres"]) != "fake dump of other-postgres" {
			t.Errorf("restore without confirmation: %v", err)
		}
		checkCode(t, f.svc.Restore(ctx, "other-postgres", b.ID, "hello-postgres"), paas.EINVALID)
		if err := f.svc.Restore(ctx, "other-postgres", b.ID, "other-postgres"); err != nil {
			t.Fatal(err)
		}
		if string(f.runner.data["other-postgres"]) != "rows: apple, banana" {
			t.Errorf("confirmed restore did not happen")
		}
	})

	t.Run("a damaged file is not restored", func(t *testing.T) {
		os.WriteFile(file, []byte("rows: apple, banana!"), 0o600)
		f.runner.data["hello-postgres"] = []byte("current")
		err := f.svc.Restore(ctx, "hello-postgres", b.ID, "")
		if !strings.Contains(paas.ErrorMessage(err), "checksum does not match") || string(f.runner.data["hello-postgres"]) != "current" {
			t.Errorf("restore of a damaged file: %v, data %q", err, f.runner.data["hello-postgres"])
		}
		os.Remove(file)
		checkCode(t, f.svc.Restore(ctx, "hello-postgres", b.ID, ""), paas.ENOTFOUND)
	})

	t.Run("a failing restore says why", func(t *testing.T) {
		c, err := f.svc.Capture(ctx, "hello-postgres", "admin", false)
		if err != nil {
			t.Fatal(err)
		}
		f.runner.restoreRC = 1
		defer func() { f.runner.restoreRC = 0 }()
		err = f.svc.Restore(ctx, "hello-postgres", c.ID, "")
		if !strings.Contains(paas.ErrorMessage(err), "nothing was changed") || !strings.Contains(paas.ErrorMessage(err), "pg_restore: error: something") {
			t.Errorf("failing restore: %v", err)
		}
	})

	t.Run("redis has no backups", func(t *testing.T) {
		if _, err := f.svc.Create(ctx, addons.CreateRequest{Type: "redis", App: "hello"}, admin, io.Discard); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Capture(ctx, "hello-redis", "admin", false)
		checkCode(t, err, paas.EINVALID)
	})

	list, err := f.svc.Backups(ctx, "hello-postgres")
	if err != nil || len(list) != 2 {
		t.Fatalf("Backups = %d, %v", len(list), err)
	}
	if err := f.svc.DeleteBackup(ctx, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.data, "backups", "hello-postgres", "2.dump")); !os.IsNotExist(err) {
		t.Errorf("delete left the file: %v", err)
	}
}

func TestScheduleKeepsTheNewest(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.svc.Create(ctx, addons.CreateRequest{Type: "postgres", App: "hello"}, admin, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, addons.CreateRequest{Type: "redis", App: "hello"}, admin, io.Discard); err != nil {
		t.Fatal(err)
	}
	manual, err := f.svc.Capture(ctx, "hello-postgres", "admin", false)
	if err != nil {
		t.Fatal(err)
	}
	// A period of a nanosecond makes every run due.
	sc := addons.NewSchedule(f.svc, 1, 2)
	for range 4 {
		if err := sc.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	list, err := f.svc.Backups(ctx, "hello-postgres")
	if err != nil {
		t.Fatal(err)
	}
	var scheduled []int64
	for _, b := range list {
		if b.Scheduled {
			scheduled = append(scheduled, b.ID)
		}
	}
	if !slices.Equal(scheduled, []int64{5, 4}) || list[len(list)-1].ID != manual.ID {
		t.Errorf("backups after 4 runs keeping 2: %+v", list)
	}

	daily := addons.NewSchedule(f.svc, 0, 0)
	if err := daily.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.svc.Backups(ctx, "hello-postgres"); len(again) != len(list) {
		t.Errorf("a daily schedule took a backup an hour after the last: %d, want %d", len(again), len(list))
	}
}

func TestEnsureRunningRestartsLostJobs(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, typ := range []string{"postgres", "redis"} {
		if _, err := f.svc.Create(ctx, addons.CreateRequest{Type: typ, App: "hello"}, admin, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	lost := f.runner.jobs["hello-redis"]
	delete(f.runner.jobs, "hello-redis")
	restarted, err := f.svc.EnsureRunning(ctx)
	if err != nil || !slices.Equal(restarted, []string{"hello-redis"}) {
		t.Fatalf("EnsureRunning = %v, %v; want hello-redis", restarted, err)
	}
	if got := f.runner.jobs["hello-redis"]; got.Port != lost.Port || got.DataDir != lost.DataDir || got.Env["PAAS_ADDON_PASSWORD"] != lost.Env["PAAS_ADDON_PASSWORD"] {
		t.Errorf("restarted job %+v; want the same port, data and password as %+v", got, lost)
	}
	if again, _ := f.svc.EnsureRunning(ctx); len(again) != 0 {
		t.Errorf("a second pass restarted %v", again)
	}
}

func TestCreateNeverTakesOverData(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(f.data, "addons", "hello-postgres")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "PG_VERSION"), []byte("15\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Create(t.Context(), addons.CreateRequest{Type: "postgres", App: "hello"}, admin, io.Discard)
	checkCode(t, err, paas.ECONFLICT)
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		t.Errorf("a refused create touched the data it found: %v", err)
	}
	if len(f.runner.jobs) != 0 {
		t.Errorf("a refused create started %v", f.runner.jobs)
	}
	if ch, err := f.svc.Create(t.Context(), addons.CreateRequest{Type: "postgres", App: "hello", Name: "hello-db"}, admin, io.Discard); err != nil || ch.Addon.Name != "hello-db" {
		t.Errorf("create under another name: %v", err)
	}
}
