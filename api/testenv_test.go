package api

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apps"
	"github.com/gitpaas/paas/internal/auth"
	"github.com/gitpaas/paas/internal/gitserver"
	"github.com/gitpaas/paas/internal/pgtest"
	"github.com/gitpaas/paas/internal/postgres"
	"github.com/gitpaas/paas/internal/secrets"
)

// testEnv is the real API engine on a real, empty PostgreSQL database, with
// the real token service and git endpoint, and fakes for what runs apps
// (pipeline, scheduler, Docker, webhooks, logs).
type testEnv struct {
	t       *testing.T
	db      *postgres.DB
	auth    *auth.Service
	git     *gitserver.Server
	handler http.Handler
	// domains serves the domain routes: a fake unless a test sets a real
	// service.
	domains *domainsSwitch
	// users by name, and an admin-scoped token of each.
	users  map[string]*paas.User
	tokens map[string]string
}

// newTestEnv starts an environment; opts may tune the API's options.
func newTestEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	db, err := postgres.Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	db.SetCipher(box)
	svc := auth.New(db)
	git, err := gitserver.New(gitserver.Options{ReposDir: t.TempDir(), HookCommand: "false", HookURL: "http://127.0.0.1:1/hooks"},
		svc, db, failingPushes{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	domains := &domainsSwitch{Domains: fakeDomains{}}
	opts.GitURL = func(app string) string { return "http://paas/git/" + app + ".git" }
	opts.WebURL = func(app string) string { return "http://" + app + ".localhost/" }
	h := New(opts, Handlers{
		Auth: svc, Authz: svc, Accounts: svc, Users: db, Tokens: db, Collaborators: db, VisibleApps: db, Audit: db,
		Teams: db, TeamMembers: db, TeamAccess: db,
		Apps: db, Lifecycle: apps.New(nopLocker{}, db, git, nopJobs{}, nopJobs{}, "paas", logger),
		Builds: db, Releases: db, Config: db, Events: db, Idempotency: db,
		Releaser: fakeReleaser{}, Sources: fakeSources{}, Webhooks: fakeWebhooks{}, AppLogs: fakeLogs{}, PlatformLog: fakeLogs{},
		Addons: fakeAddons{}, Backups: fakeBackups{}, Autoscale: fakeAutoscale{}, Traffic: fakeTraffic{},
		Domains: domains,
		Git:     git, GitHooks: git.HookHandler(),
	}, logger)
	return &testEnv{t: t, db: db, auth: svc, git: git, handler: h, domains: domains, users: map[string]*paas.User{}, tokens: map[string]string{}}
}

// addUser creates a user with an admin-scoped token, like a login's.
func (e *testEnv) addUser(name string, admin bool) *paas.User {
	e.t.Helper()
	u, err := e.db.CreateUser(e.t.Context(), name, admin)
	if err != nil {
		e.t.Fatal(err)
	}
	e.users[name] = u
	e.tokens[name] = e.token(name, paas.ScopeAdmin, nil)
	return u
}

// token adds a token of user name with scope and expiry and returns its
// secret.
func (e *testEnv) token(name string, scope paas.Scope, expires *time.Time) string {
	e.t.Helper()
	secret := auth.NewToken()
	_, err := e.db.AddToken(e.t.Context(), e.users[name].ID, paas.Token{Name: "test", Scope: scope, ExpiresAt: expires}, auth.Hash(secret))
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// revokedToken adds a token of user name and revokes it.
func (e *testEnv) revokedToken(name string) string {
	e.t.Helper()
	secret := auth.NewToken()
	tok, err := e.db.AddToken(e.t.Context(), e.users[name].ID, paas.Token{Name: "test", Scope: paas.ScopeAdmin}, auth.Hash(secret))
	if err == nil {
		err = e.db.RevokeToken(e.t.Context(), tok.ID, 0)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// addApp creates app, owned by owner, with a finished build, a current
// release v1 and the given collaborators.
func (e *testEnv) addApp(app, owner string, roles map[string]paas.Role) {
	e.t.Helper()
	ctx := e.t.Context()
	if _, err := e.db.CreateApp(ctx, app, owner); err != nil {
		e.t.Fatal(err)
	}
	for user, role := range roles {
		if _, err := e.db.SetCollaborator(ctx, app, user, role); err != nil {
			e.t.Fatal(err)
		}
	}
	b, err := e.db.CreateBuild(ctx, app, "0123abc", "refs/heads/main", owner)
	if err == nil {
		err = e.db.FinishBuild(ctx, b.ID, paas.BuildSucceeded, "paas/"+app+":build-1", "")
	}
	if err == nil {
		_, err = e.db.CreateRelease(ctx, &paas.Release{App: app, Image: "paas/" + app + ":build-1", BuildID: b.ID, CreatedBy: owner})
	}
	if err == nil {
		err = e.db.MarkReleaseCurrent(ctx, app, 1)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// request is one request to the API.
type request struct {
	method, path, body, contentType string
	// bearer is sent as the bearer token, or as the basic-auth password on
	// /git/ paths; "" sends no credentials.
	bearer string
}

// do serves r and returns the recorded answer.
func (e *testEnv) do(r request) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.serve(httpRequest(r))
}

// serve serves req and returns the recorded answer.
func (e *testEnv) serve(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, req)
	return w
}

// httpRequest makes the HTTP request of r, from 192.0.2.1.
func httpRequest(r request) *http.Request {
	req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
	req.Header.Set("User-Agent", "paas-test/1")
	if r.body != "" {
		req.Header.Set("Content-Type", cmpOr(r.contentType, "application/json"))
	}
	switch {
	case r.bearer == "":
	case strings.HasPrefix(r.path, "/git/"):
		req.SetBasicAuth("anyone", r.bearer)
	default:
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	return req
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// sourceTar returns a tar archive of one small file, a source upload.
func sourceTar() string {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "index.html", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
	tw.Write([]byte("hi\n"))
	tw.Close()
	return buf.String()
}

// The fakes of what runs apps. They succeed, so that an allowed request
// gets its route's success status.

type nopLocker struct{}

func (nopLocker) LockApp(string) func() { return func() {} }

type nopJobs struct{}

func (nopJobs) Destroy(context.Context, string) error          { return nil }
func (nopJobs) RemoveRepository(context.Context, string) error { return nil }

type failingPushes struct{}

func (failingPushes) HandlePush(context.Context, gitserver.Push, io.Writer) error {
	return paas.Errorf(paas.EINVALID, "pushes are not built in these tests")
}

type fakeReleaser struct{}

func (fakeReleaser) SetConfig(_ context.Context, app string, _ *paas.User, _ map[string]*string, _ io.Writer) (*paas.Release, map[string]string, error) {
	return nil, map[string]string{}, nil
}

func (fakeReleaser) Rollback(_ context.Context, app string, _ *paas.User, _ int, _ io.Writer) (*paas.Release, error) {
	return &paas.Release{App: app, Version: 2}, nil
}

func (fakeReleaser) Scale(_ context.Context, app string, _ *paas.User, _ map[string]int, _ io.Writer) (*paas.Release, error) {
	return &paas.Release{App: app, Version: 2}, nil
}

func (fakeReleaser) Restart(context.Context, string, string) error { return nil }

func (fakeReleaser) Processes(context.Context, string) ([]paas.ProcessState, error) { return nil, nil }

func (fakeReleaser) Run(_ context.Context, _ string, command []string, out io.Writer) (int, error) {
	fmt.Fprintln(out, strings.Join(command, " "))
	return 0, nil
}

type fakeSources struct{}

func (fakeSources) DeploySource(_ context.Context, _ string, _ *paas.User, _ string, out io.Writer) error {
	fmt.Fprintln(out, "deployed")
	return nil
}

type fakeWebhooks struct{}

func (fakeWebhooks) Create(_ context.Context, app string, user *paas.User, url string, events []string) (*paas.Webhook, error) {
	return &paas.Webhook{ID: 1, App: app, URL: url, Events: events, Secret: "whsec", CreatedBy: user.Name}, nil
}

func (fakeWebhooks) List(context.Context, string) ([]*paas.Webhook, error) { return nil, nil }
func (fakeWebhooks) Delete(context.Context, string, int64) error           { return nil }
func (fakeWebhooks) Deliveries(context.Context, string, int64) ([]*paas.Delivery, error) {
	return nil, nil
}

type fakeDomains struct{}

func (fakeDomains) Add(_ context.Context, app string, user *paas.User, host, _, _ string) (*paas.Domain, error) {
	return &paas.Domain{Hostname: host, App: app, CreatedBy: user.Name, CertSelfSigned: true}, nil
}

func (fakeDomains) List(context.Context, string) ([]*paas.Domain, error) { return nil, nil }
func (fakeDomains) Remove(context.Context, string, string) error         { return nil }

// domainsSwitch lets a test replace the fake domains with a real service.
type domainsSwitch struct{ Domains }

type fakeLogs struct{}

func (fakeLogs) Logs(context.Context, string, paas.LogQuery, func(paas.LogLine)) error { return nil }
func (fakeLogs) Recent(string, int) []paas.LogLine                                     { return nil }
func (fakeLogs) Follow(context.Context, string) <-chan paas.LogLine {
	ch := make(chan paas.LogLine)
	close(ch)
	return ch
}

type fakeAutoscale struct{}

func (fakeAutoscale) Policies(context.Context, string) ([]paas.AutoscaleStatus, error) {
	return []paas.AutoscaleStatus{}, nil
}

func (fakeAutoscale) SetPolicy(_ context.Context, _ *paas.User, pol paas.AutoscalePolicy) (paas.AutoscalePolicy, error) {
	return pol, pol.Validate()
}

func (fakeAutoscale) Wake(context.Context, string) (bool, error) { return false, nil }

type fakeTraffic struct{}

func (fakeTraffic) Maintenance(context.Context, string) (bool, error)              { return false, nil }
func (fakeTraffic) SetMaintenance(context.Context, string, bool, *paas.User) error { return nil }
func (fakeTraffic) Canary(_ context.Context, app string) (*paas.CanaryStatus, error) {
	return &paas.CanaryStatus{App: app, Stable: 1, Canary: 2, Weight: 10, Steps: []int{10, 100}}, nil
}
func (fakeTraffic) PromoteCanary(context.Context, string, *paas.User) error { return nil }
func (fakeTraffic) AbortCanary(context.Context, string, *paas.User) error   { return nil }
