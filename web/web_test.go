package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/auth"
	"github.com/gitpaas/paas/internal/metricsample"
)

const password = "a long enough password"

// env is a console on an in-memory platform with three users: an admin,
// the owner of app "shop" and a viewer of it.
type env struct {
	t    *testing.T
	mem  *memory
	edge *edge
	srv  *httptest.Server
}

func newEnv(t *testing.T, change ...func(*Services)) *env {
	mem := newMemory()
	accounts := auth.New(mem)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, u := range []struct {
		name  string
		admin bool
	}{{"root", true}, {"ada", false}, {"val", false}} {
		user, _, err := accounts.CreateUser(ctx, u.name, u.admin, password)
		if err != nil {
			t.Fatal(err)
		}
		ids[u.name] = user.ID
	}
	mem.addApp("shop", 1, map[int64]paas.Role{ids["ada"]: paas.RoleOwner, ids["val"]: paas.RoleViewer})
	mem.config["shop"]["SECRET_KEY"] = "s3cr3t-value"
	edge := newEdge()
	svc := Services{Accounts: accounts, Tokens: mem, Authz: accounts, Apps: mem, Creator: mem, Builds: mem,
		Releases: mem, Releaser: mem, Config: mem, Addons: mem, Audit: mem,
		Metrics: points{{Time: time.Unix(0, 0), RPS: 1}, {Time: time.Unix(5, 0), RPS: 3, P50: time.Millisecond, P95: 4 * time.Millisecond, Instances: 1}},
		Domains: edge, Maintenance: edge, Canaries: edge, Autoscaling: edge, Events: edge}
	for _, f := range change {
		f(&svc)
	}
	c := New(Options{
		WebURL:  func(app string) string { return "http://" + app + ".localhost:8080/" },
		GitURL:  func(app string) string { return "http://paas/git/" + app + ".git" },
		LogPoll: 10 * time.Millisecond,
	}, svc, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(c)
	t.Cleanup(func() { c.Shutdown(); srv.Close() })
	return &env{t: t, mem: mem, edge: edge, srv: srv}
}

// client is a browser without JavaScript: cookies, no redirects followed
// unless asked.
type client struct {
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (c *client) get(path string) (int, string) {
	c.e.t.Helper()
	resp, err := c.http.Get(c.e.srv.URL + path)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *client) post(path string, form url.Values) *http.Response {
	c.e.t.Helper()
	resp, err := c.http.PostForm(c.e.srv.URL+path, form)
	if err != nil {
		c.e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token of the page at path.
func (c *client) csrf(path string) string {
	c.e.t.Helper()
	_, body := c.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.e.t.Fatalf("no csrf field on %s:\n%s", path, body)
	}
	return m[1]
}

func (c *client) login(name, pass string) *http.Response {
	return c.post("/console/login", url.Values{"csrf": {c.csrf("/console/login")}, "name": {name}, "password": {pass}})
}

func (e *env) loggedIn(name string) *client {
	c := e.client()
	if resp := c.login(name, password); resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("log in as %s: %s", name, resp.Status)
	}
	return c
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	if code, _ := c.get("/console/apps/shop"); code != http.StatusSeeOther {
		t.Fatalf("anonymous app page: %d, want a redirect to the login page", code)
	}
	resp := c.login("ada", "wrong password!!")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %s, want 401", resp.Status)
	}
	resp = c.login("ada", password)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("login: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/console" {
		t.Fatalf("session cookie %+v; want HttpOnly, SameSite=Lax, Path=/console", session)
	}
	if code, body := c.get("/console/"); code != http.StatusOK || !strings.Contains(body, "shop") {
		t.Fatalf("apps list: %d\n%s", code, body)
	}
	// Logging out revokes the session's token: the cookie no longer works.
	c.post("/console/logout", url.Values{"csrf": {c.csrf("/console/")}})
	replay := e.client()
	replay.http.Jar.SetCookies(mustURL(e.srv.URL+"/console/"), []*http.Cookie{{Name: sessionCookie, Value: session.Value, Path: "/console"}})
	if code, _ := replay.get("/console/"); code != http.StatusSeeOther {
		t.Fatalf("a logged-out session still opens the console: %d", code)
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	var last int
	for range DefaultLoginPerUser.Burst + 1 {
		last = c.login("ada", "wrong password!!").StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("attempt %d: %d, want 429", DefaultLoginPerUser.Burst+1, last)
	}
}

func TestFormsNeedTheirCSRFToken(t *testing.T) {
	e := newEnv(t)
	c := e.loggedIn("ada")
	for name, form := range map[string]url.Values{
		"none":  {"count.web": {"2"}},
		"wrong": {"count.web": {"2"}, "csrf": {strings.Repeat("0", 64)}},
	} {
		if resp := c.post("/console/apps/shop/scale", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s token: %s, want 403", name, resp.Status)
		}
	}
	if e.mem.scaled != nil {
		t.Fatal("a form without its token scaled the app")
	}
	resp := c.post("/console/apps/shop/scale", url.Values{"count.web": {"2"}, "csrf": {c.csrf("/console/apps/shop")}})
	if resp.StatusCode != http.StatusSeeOther || e.mem.scaled["web"] != 2 {
		t.Fatalf("scale with the token: %s, scaled %v", resp.Status, e.mem.scaled)
	}
}

func TestViewersOnlyLook(t *testing.T) {
	e := newEnv(t)
	c := e.loggedIn("val")
	code, body := c.get("/console/apps/shop")
	if code != http.StatusOK || strings.Contains(body, `name="count.web"`) || strings.Contains(body, "/config\"") {
		t.Fatalf("a viewer's overview (%d) offers scaling or config:\n%s", code, body)
	}
	token := c.csrf("/console/apps/shop")
	for path, form := range map[string]url.Values{
		"/console/apps/shop/scale":    {"count.web": {"3"}},
		"/console/apps/shop/rollback": {"version": {"1"}},
		"/console/apps/shop/config":   {"key": {"A"}, "value": {"b"}},
	} {
		form.Set("csrf", token)
		if resp := c.post(path, form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %s, want 403", path, resp.Status)
		}
	}
	if code, _ := c.get("/console/apps/shop/config"); code != http.StatusForbidden {
		t.Errorf("viewer config page: %d, want 403", code)
	}
	if code, _ := c.get("/console/apps/shop/activity"); code != http.StatusForbidden {
		t.Errorf("viewer activity page: %d, want 403", code)
	}
	other := e.loggedIn("root")
	other.post("/console/apps", url.Values{"name": {"secret-app"}, "csrf": {other.csrf("/console/")}})
	if code, _ := c.get("/console/apps/secret-app"); code != http.StatusNotFound {
		t.Errorf("someone else's app: %d, want 404", code)
	}
}

func TestConfigValuesStayMasked(t *testing.T) {
	e := newEnv(t)
	c := e.loggedIn("ada")
	_, body := c.get("/console/apps/shop/config")
	if !strings.Contains(body, "SECRET_KEY") || strings.Contains(body, "s3cr3t-value") {
		t.Fatalf("config page does not mask the value:\n%s", body)
	}
	if _, body = c.get("/console/apps/shop/config?reveal=SECRET_KEY"); !strings.Contains(body, "s3cr3t-value") {
		t.Fatalf("revealing does not show the value:\n%s", body)
	}
	token := c.csrf("/console/apps/shop/config")
	bad := c.post("/console/apps/shop/config", url.Values{"csrf": {token}, "key": {"1BAD"}, "value": {"x"}})
	if _, page := c.get(bad.Header.Get("Location")); !strings.Contains(page, "flash error") {
		t.Errorf("an invalid key shows no error:\n%s", page)
	}
	c.post("/console/apps/shop/config", url.Values{"csrf": {token}, "key": {"GREETING"}, "value": {"hi"}})
	if e.mem.config["shop"]["GREETING"] != "hi" || e.mem.apps["shop"].Release != 2 {
		t.Fatalf("config set: %v, release v%d; want GREETING=hi and v2", e.mem.config["shop"], e.mem.apps["shop"].Release)
	}
	for _, entry := range e.mem.audit {
		if entry.Action == "config.set" && entry.User == "ada" && entry.Status == http.StatusOK {
			return
		}
	}
	t.Fatalf("config.set is not in the audit log: %+v", e.mem.audit)
}

func TestEveryPageRenders(t *testing.T) {
	e := newEnv(t)
	e.mem.builds[7] = &paas.Build{ID: 7, App: "shop", Status: paas.BuildSucceeded, Commit: "abcdef0123", CreatedAt: time.Now()}
	e.mem.logs[7] = []byte("Step 1/2 <script>alert(1)</script>\n")
	c := e.loggedIn("ada")
	for _, path := range []string{"/console/", "/console/apps/shop", "/console/apps/shop/processes", "/console/apps/shop/builds",
		"/console/apps/shop/builds/7", "/console/apps/shop/releases", "/console/apps/shop/config", "/console/apps/shop/addons",
		"/console/apps/shop/metrics", "/console/apps/shop/activity", "/console/static/console.css", "/console/static/console.js"} {
		code, body := c.get(path)
		if code != http.StatusOK {
			t.Errorf("GET %s: %d\n%s", path, code, body)
		}
		if strings.Contains(body, "<script>alert") {
			t.Errorf("GET %s does not escape the build log", path)
		}
	}
	if _, body := c.get("/console/apps/shop/metrics"); !strings.Contains(body, "<polyline") {
		t.Errorf("metrics page draws no line:\n%s", body)
	}
	if code, _ := c.get("/console/apps/shop/builds/x"); code != http.StatusUnprocessableEntity {
		t.Errorf("build x: %d, want 422", code)
	}
}

func TestBuildLogStreams(t *testing.T) {
	e := newEnv(t)
	e.mem.builds[9] = &paas.Build{ID: 9, App: "shop", Status: paas.BuildBuilding, CreatedAt: time.Now()}
	e.mem.logs[9] = []byte("first line\n")
	c := e.loggedIn("ada")
	resp, err := c.http.Get(e.srv.URL + "/console/apps/shop/builds/9/log?from=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		e.mem.appendLog(9, "second line\n", paas.BuildSucceeded)
	}()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`data: "first line\n"`, `data: "second line\n"`, "event: done", `"status":"succeeded"`, "id: 23"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("stream lacks %q:\n%s", want, body)
		}
	}
}

func TestChartEscapesAndScales(t *testing.T) {
	ch := chart{Title: `<b>"x"</b>`, Unit: "ms", Times: []time.Time{time.Unix(0, 0), time.Unix(10, 0)},
		Lines: []series{{Name: "p95", Class: "s1", Values: []float64{0, 7}}}}
	svg := string(ch.svg())
	if strings.Contains(svg, "<b>") {
		t.Fatalf("title not escaped: %s", svg)
	}
	if ch.top() != 10 {
		t.Errorf("top = %v, want 10", ch.top())
	}
	if !strings.Contains(svg, `points="56.0,172.0 628.0,60.0"`) {
		t.Errorf("unexpected points in %s", svg)
	}
	if got := charts([]metricsample.Point{}); len(got) != 4 {
		t.Errorf("%d charts, want 4", len(got))
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
