package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// decodeBody decodes a JSON answer into v.
func decodeBody(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
}

// errorMessage is the message of an error answer.
func errorMessage(t *testing.T, body string) string {
	t.Helper()
	var eb errorBody
	decodeBody(t, body, &eb)
	return eb.Error.Message
}

func TestLogin(t *testing.T) {
	e := newTestEnv(t, Options{})
	if _, _, err := e.auth.CreateUser(t.Context(), "lou", false, "lou's long password"); err != nil {
		t.Fatal(err)
	}
	e.addUser("tok", false) // no password: logs in with tokens only
	login := func(name, password string) (int, string) {
		w := e.do(request{method: "POST", path: "/v1/login", body: `{"name":"` + name + `","password":"` + password + `"}`})
		return w.Code, w.Body.String()
	}

	code, body := login("lou", "lou's long password")
	if code != 201 {
		t.Fatalf("login = %d %s", code, body)
	}
	var tok newTokenBody
	decodeBody(t, body, &tok)
	if tok.Scope != paas.ScopeAdmin || tok.Name != "login from paas-test/1" || tok.User != "lou" ||
		tok.ExpiresAt == nil || tok.ExpiresAt.Sub(time.Now()) < 29*24*time.Hour || !strings.HasPrefix(tok.Secret, "paas_") {
		t.Errorf("login token = %+v", tok)
	}
	if w := e.do(request{method: "GET", path: "/v1/whoami", bearer: tok.Secret}); w.Code != 200 || !strings.Contains(w.Body.String(), `"lou"`) {
		t.Errorf("whoami with the login token = %d %s", w.Code, w.Body)
	}

	var messages []string
	for _, c := range []struct{ name, password string }{{"lou", "wrong password!"}, {"nobody", "lou's long password"}, {"tok", ""}} {
		code, body := login(c.name, c.password)
		if code != 401 {
			t.Errorf("login %s = %d %s; want 401", c.name, code, body)
		}
		messages = append(messages, errorMessage(t, body))
	}
	want := []string{"wrong user name or password", "wrong user name or password", "wrong user name or password"}
	if diff := cmp.Diff(want, messages); diff != "" {
		t.Errorf("failed logins must not tell unknown users from wrong passwords (-want +got):\n%s", diff)
	}
}

func TestLoginRateLimits(t *testing.T) {
	e := newTestEnv(t, Options{LoginPerIP: RateLimit{Burst: 4, Every: time.Hour}, LoginPerUser: RateLimit{Burst: 2, Every: time.Hour}})
	try := func(name string) *http.Response {
		w := e.do(request{method: "POST", path: "/v1/login", body: `{"name":"` + name + `","password":"guess guess guess"}`})
		return w.Result()
	}
	for i, want := range []int{401, 401, 429} {
		if got := try("lou").StatusCode; got != want {
			t.Errorf("attempt %d on lou = %d; want %d", i+1, got, want)
		}
	}
	if got := try("other").StatusCode; got != 401 {
		t.Errorf("another user from the same address = %d; want 401 until the address's limit", got)
	}
	resp := try("third")
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != 429 || err != nil || retry < 1 || retry > 3600 {
		t.Fatalf("past the address's limit = %d, Retry-After %q; want 429 with a delay in seconds", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	var eb errorBody
	json.NewDecoder(resp.Body).Decode(&eb)
	if eb.Error.Code != paas.ERATELIMITED || !strings.Contains(eb.Error.Message, "too many login attempts; try again in") {
		t.Errorf("429 body = %+v", eb)
	}
}

func TestTokensAPI(t *testing.T) {
	e := newTestEnv(t, Options{})
	e.addUser("olive", false)
	e.addUser("dale", false)
	as := func(user string) string { return e.tokens[user] }
	w := e.do(request{method: "POST", path: "/v1/tokens", body: `{"name":"ci","scope":"deploy","expires_in":86400}`, bearer: as("olive")})
	if w.Code != 201 || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("create = %d %s", w.Code, w.Body)
	}
	var tok newTokenBody
	decodeBody(t, w.Body.String(), &tok)
	if tok.Name != "ci" || tok.Scope != paas.ScopeDeploy || tok.Secret == "" {
		t.Errorf("created %+v", tok)
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"scope":"root","expires_in":60}`, 422},
		{`{"scope":"read"}`, 422},
		{`{"scope":"read","expires_in":99999999999}`, 422},
	} {
		if w := e.do(request{method: "POST", path: "/v1/tokens", body: c.body, bearer: as("olive")}); w.Code != c.want {
			t.Errorf("create %s = %d %s; want %d", c.body, w.Code, w.Body, c.want)
		}
	}

	var list []paas.Token
	decodeBody(t, e.do(request{method: "GET", path: "/v1/tokens", bearer: as("olive")}).Body.String(), &list)
	if len(list) != 2 || list[0].ID != tok.ID || strings.Contains(e.do(request{method: "GET", path: "/v1/tokens", bearer: as("olive")}).Body.String(), "paas_") {
		t.Errorf("list = %+v; want the new token and the test's, no secrets", list)
	}
	path := "/v1/tokens/" + strconv.FormatInt(tok.ID, 10)
	if w := e.do(request{method: "DELETE", path: path, bearer: as("dale")}); w.Code != 404 {
		t.Errorf("dale revokes olive's token = %d; want 404", w.Code)
	}
	if w := e.do(request{method: "DELETE", path: path, bearer: as("olive")}); w.Code != 204 {
		t.Errorf("revoke = %d %s", w.Code, w.Body)
	}
	w = e.do(request{method: "GET", path: "/v1/whoami", bearer: tok.Secret})
	if w.Code != 401 || !strings.Contains(errorMessage(t, w.Body.String()), "revoked") {
		t.Errorf("revoked token = %d %s; want 401 saying it was revoked", w.Code, w.Body)
	}
}

func TestUsersAPI(t *testing.T) {
	e := newTestEnv(t, Options{})
	e.addUser("ada", true)
	w := e.do(request{method: "POST", path: "/v1/users", body: `{"name":"bea"}`, bearer: e.tokens["ada"]})
	var created createdUserBody
	decodeBody(t, w.Body.String(), &created)
	if w.Code != 201 || created.User.Name != "bea" || created.User.Admin || len(created.Password) < 12 {
		t.Fatalf("create with a generated password = %d %s", w.Code, w.Body)
	}
	w = e.do(request{method: "POST", path: "/v1/users", body: `{"name":"cy","admin":true,"password":"cy's own password"}`, bearer: e.tokens["ada"]})
	if w.Code != 201 || strings.Contains(w.Body.String(), "password") {
		t.Errorf("create with a password = %d %s; want no password echoed", w.Code, w.Body)
	}
	if w := e.do(request{method: "POST", path: "/v1/login", body: `{"name":"bea","password":"` + created.Password + `"}`}); w.Code != 201 {
		t.Errorf("login with the generated password = %d %s", w.Code, w.Body)
	}
	var users []paas.User
	decodeBody(t, e.do(request{method: "GET", path: "/v1/users", bearer: e.tokens["ada"]}).Body.String(), &users)
	if len(users) != 3 || users[0].Name != "ada" || users[1].Name != "bea" || !users[2].Admin {
		t.Errorf("users = %+v", users)
	}
}

// TestSecretsAreNotKeptForReplay checks that an Idempotency-Key does not
// make the API store a new token's secret.
func TestSecretsAreNotKeptForReplay(t *testing.T) {
	e := newTestEnv(t, Options{})
	e.addUser("olive", false)
	req := request{method: "POST", path: "/v1/tokens", body: `{"scope":"read","expires_in":60}`, bearer: e.tokens["olive"]}
	var secrets []string
	for range 2 {
		r := httpRequest(req)
		r.Header.Set("Idempotency-Key", "same-key")
		w := e.serve(r)
		var tok newTokenBody
		decodeBody(t, w.Body.String(), &tok)
		if w.Code != 201 || w.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("create with a key = %d %v", w.Code, w.Header())
		}
		secrets = append(secrets, tok.Secret)
	}
	if secrets[0] == secrets[1] {
		t.Error("the token's secret was replayed from storage")
	}
}

func TestAppsListShowsOnlyVisibleApps(t *testing.T) {
	e := newTestEnv(t, Options{})
	for _, u := range []string{"olive", "vic", "oscar"} {
		e.addUser(u, false)
	}
	e.addUser("ada", true)
	e.addApp("mine", "olive", map[string]paas.Role{"vic": paas.RoleViewer})
	e.addApp("theirs", "oscar", nil)
	for user, want := range map[string][]string{"olive": {"mine"}, "vic": {"mine"}, "oscar": {"theirs"}, "ada": {"mine", "theirs"}} {
		var apps []paas.App
		decodeBody(t, e.do(request{method: "GET", path: "/v1/apps", bearer: e.tokens[user]}).Body.String(), &apps)
		var got []string
		for _, a := range apps {
			got = append(got, a.Name)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("apps %s sees (-want +got):\n%s", user, diff)
		}
	}
	hidden := e.do(request{method: "GET", path: "/v1/apps/theirs", bearer: e.tokens["olive"]})
	missing := e.do(request{method: "GET", path: "/v1/apps/nope", bearer: e.tokens["olive"]})
	if hidden.Code != 404 || strings.ReplaceAll(errorMessage(t, hidden.Body.String()), "theirs", "X") != strings.ReplaceAll(errorMessage(t, missing.Body.String()), "nope", "X") {
		t.Errorf("another team's app (%d %s) must look like a missing one (%d %s)", hidden.Code, hidden.Body, missing.Code, missing.Body)
	}
	w := e.do(request{method: "POST", path: "/v1/apps", body: `{"name":"fresh"}`, bearer: e.tokens["vic"]})
	if w.Code != 201 {
		t.Fatalf("create = %d %s", w.Code, w.Body)
	}
	var access []paas.Collaborator
	decodeBody(t, e.do(request{method: "GET", path: "/v1/apps/fresh/access", bearer: e.tokens["vic"]}).Body.String(), &access)
	if len(access) != 1 || access[0].User != "vic" || access[0].Role != paas.RoleOwner {
		t.Errorf("access of a new app = %+v; want its creator as owner", access)
	}
}

func TestAuditLog(t *testing.T) {
	e := newTestEnv(t, Options{})
	for _, u := range []string{"olive", "dale", "vic", "oscar"} {
		e.addUser(u, false)
	}
	e.addUser("ada", true)
	e.addApp("mine", "olive", map[string]paas.Role{"dale": paas.RoleDeployer, "vic": paas.RoleViewer})
	e.addApp("theirs", "oscar", nil)
	secret := `{"DATABASE_URL":"postgres://user:hunter2@db/x"}`
	steps := []request{
		{method: "PATCH", path: "/v1/apps/mine/config", body: secret, bearer: e.tokens["dale"]},
		{method: "PATCH", path: "/v1/apps/mine/config", body: secret, bearer: e.tokens["vic"]},
		{method: "GET", path: "/v1/apps/mine/config", bearer: e.tokens["dale"]},
		{method: "POST", path: "/v1/apps", body: `{"name":"newer"}`, bearer: e.tokens["olive"]},
		{method: "POST", path: "/v1/apps/theirs/ps/restart", bearer: e.tokens["oscar"]},
		{method: "POST", path: "/v1/login", body: `{"name":"olive","password":"hunter2 hunter2"}`},
	}
	for _, r := range steps {
		e.do(r)
	}
	all := e.do(request{method: "GET", path: "/v1/audit", bearer: e.tokens["ada"]}).Body.String()
	if strings.Contains(all, "hunter2") {
		t.Errorf("the audit log holds a secret from a request body: %s", all)
	}
	var entries []paas.AuditEntry
	decodeBody(t, all, &entries)
	var got []string
	for _, en := range entries {
		got = append(got, strings.Join([]string{en.User, en.Action, en.App, en.Method, en.Path, strconv.Itoa(en.Status), en.ClientIP}, " "))
		if en.RequestID == "" || en.CreatedAt.IsZero() {
			t.Errorf("entry %+v lacks a request id or time", en)
		}
	}
	want := []string{
		" login  POST /v1/login 401 192.0.2.1",
		"oscar ps.restart theirs POST /v1/apps/theirs/ps/restart 204 192.0.2.1",
		"olive app.create newer POST /v1/apps 201 192.0.2.1",
		"vic config.set mine PATCH /v1/apps/mine/config 403 192.0.2.1",
		"dale config.set mine PATCH /v1/apps/mine/config 200 192.0.2.1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit log (-want +got):\n%s", diff)
	}
	visible := func(user, query string) (int, []string) {
		w := e.do(request{method: "GET", path: "/v1/audit" + query, bearer: e.tokens[user]})
		if w.Code != 200 {
			return w.Code, nil
		}
		var es []paas.AuditEntry
		decodeBody(t, w.Body.String(), &es)
		var apps []string
		for _, en := range es {
			apps = append(apps, en.App)
		}
		return w.Code, apps
	}
	for _, c := range []struct {
		user, query string
		code        int
		apps        []string
	}{
		{"olive", "", 200, []string{"newer", "mine", "mine"}},
		{"olive", "?app=mine&limit=1", 200, []string{"mine"}},
		{"oscar", "", 200, []string{"theirs"}},
		{"dale", "", 200, nil},
		{"dale", "?app=mine", 403, nil},
		{"oscar", "?app=mine", 404, nil},
		{"ada", "?app=theirs", 200, []string{"theirs"}},
	} {
		code, apps := visible(c.user, c.query)
		if code != c.code || !cmp.Equal(apps, c.apps) {
			t.Errorf("audit%s as %s = %d %v; want %d %v", c.query, c.user, code, apps, c.code, c.apps)
		}
	}
}
