package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/gitserver"
)

// sample is a request that succeeds for whoever may make it, with {app},
// {user}, {team} and {token} standing for the case's app, a user to grant
// access to, the case's viewer team (tim and tara) and a token of the
// caller.
type sample struct {
	path, body, contentType string
	ok                      int
	// members marks a route on {team} that only its members and platform
	// admins may use: to others the team does not exist (404).
	members bool
}

// samples holds a request for every route under /v1. A new route needs one
// here and a rule in authz.go, or TestRouteRules fails.
var samples = map[string]sample{
	"POST /v1/login":        {path: "/v1/login", body: `{"name":"lou","password":"lou's long password"}`, ok: 201},
	"GET /v1/openapi.json":  {path: "/v1/openapi.json", ok: 200},
	"GET /v1/whoami":        {path: "/v1/whoami", ok: 200},
	"GET /v1/users":         {path: "/v1/users", ok: 200},
	"POST /v1/users":        {path: "/v1/users", body: `{"name":"new-{app}"}`, ok: 201},
	"GET /v1/tokens":        {path: "/v1/tokens", ok: 200},
	"POST /v1/tokens":       {path: "/v1/tokens", body: `{"scope":"read","expires_in":3600}`, ok: 201},
	"DELETE /v1/tokens/:id": {path: "/v1/tokens/{token}", ok: 204},
	"GET /v1/audit":         {path: "/v1/audit", ok: 200},

	"GET /v1/teams":                        {path: "/v1/teams", ok: 200},
	"POST /v1/teams":                       {path: "/v1/teams", body: `{"name":"new-{app}"}`, ok: 201},
	"DELETE /v1/teams/:team":               {path: "/v1/teams/{team}", ok: 204},
	"GET /v1/teams/:team/members":          {path: "/v1/teams/{team}/members", ok: 200, members: true},
	"PUT /v1/teams/:team/members/:user":    {path: "/v1/teams/{team}/members/{user}", ok: 200},
	"DELETE /v1/teams/:team/members/:user": {path: "/v1/teams/{team}/members/{user}", ok: 204},

	"GET /v1/apps":         {path: "/v1/apps", ok: 200},
	"POST /v1/apps":        {path: "/v1/apps", body: `{"name":"new-{app}"}`, ok: 201},
	"GET /v1/apps/:app":    {path: "/v1/apps/{app}", ok: 200},
	"DELETE /v1/apps/:app": {path: "/v1/apps/{app}", ok: 204},

	"GET /v1/apps/:app/access":                {path: "/v1/apps/{app}/access", ok: 200},
	"PUT /v1/apps/:app/access/:user":          {path: "/v1/apps/{app}/access/{user}", body: `{"role":"deployer"}`, ok: 200},
	"DELETE /v1/apps/:app/access/:user":       {path: "/v1/apps/{app}/access/{user}", ok: 204},
	"PUT /v1/apps/:app/access/teams/:team":    {path: "/v1/apps/{app}/access/teams/{team}", body: `{"role":"deployer"}`, ok: 200},
	"DELETE /v1/apps/:app/access/teams/:team": {path: "/v1/apps/{app}/access/teams/{team}", ok: 204},

	"GET /v1/apps/:app/builds":                {path: "/v1/apps/{app}/builds", ok: 200},
	"POST /v1/apps/:app/builds":               {path: "/v1/apps/{app}/builds", body: sourceTar(), contentType: "application/x-tar", ok: 200},
	"GET /v1/apps/:app/builds/:id":            {path: "/v1/apps/{app}/builds/{build}", ok: 200},
	"GET /v1/apps/:app/builds/:id/log":        {path: "/v1/apps/{app}/builds/{build}/log", ok: 200},
	"GET /v1/apps/:app/releases":              {path: "/v1/apps/{app}/releases", ok: 200},
	"GET /v1/apps/:app/releases/:version":     {path: "/v1/apps/{app}/releases/v1", ok: 200},
	"POST /v1/apps/:app/rollback":             {path: "/v1/apps/{app}/rollback", ok: 201},
	"GET /v1/apps/:app/config":                {path: "/v1/apps/{app}/config", ok: 200},
	"PATCH /v1/apps/:app/config":              {path: "/v1/apps/{app}/config", body: `{"GREETING":"hi"}`, ok: 200},
	"GET /v1/apps/:app/formation":             {path: "/v1/apps/{app}/formation", ok: 200},
	"PATCH /v1/apps/:app/formation":           {path: "/v1/apps/{app}/formation", body: `{"web":2}`, ok: 200},
	"GET /v1/apps/:app/ps":                    {path: "/v1/apps/{app}/ps", ok: 200},
	"POST /v1/apps/:app/ps/restart":           {path: "/v1/apps/{app}/ps/restart", ok: 204},
	"POST /v1/apps/:app/runs":                 {path: "/v1/apps/{app}/runs", body: `{"command":["ls"]}`, ok: 200},
	"GET /v1/apps/:app/logs":                  {path: "/v1/apps/{app}/logs", ok: 200},
	"GET /v1/apps/:app/maintenance":           {path: "/v1/apps/{app}/maintenance", ok: 200},
	"PUT /v1/apps/:app/maintenance":           {path: "/v1/apps/{app}/maintenance", body: `{"enabled":true}`, ok: 200},
	"GET /v1/apps/:app/canary":                {path: "/v1/apps/{app}/canary", ok: 200},
	"POST /v1/apps/:app/canary/promote":       {path: "/v1/apps/{app}/canary/promote", ok: 204},
	"POST /v1/apps/:app/canary/abort":         {path: "/v1/apps/{app}/canary/abort", ok: 204},
	"GET /v1/apps/:app/autoscale":             {path: "/v1/apps/{app}/autoscale", ok: 200},
	"PUT /v1/apps/:app/autoscale/:process":    {path: "/v1/apps/{app}/autoscale/web", body: `{"min":1,"max":3,"target_inflight":20}`, ok: 200},
	"DELETE /v1/apps/:app/autoscale/:process": {path: "/v1/apps/{app}/autoscale/web", ok: 200},
	"GET /v1/apps/:app/events":                {path: "/v1/apps/{app}/events", ok: 200},

	"GET /v1/apps/:app/domains":                 {path: "/v1/apps/{app}/domains", ok: 200},
	"POST /v1/apps/:app/domains":                {path: "/v1/apps/{app}/domains", body: `{"hostname":"www.{app}.example.com"}`, ok: 201},
	"DELETE /v1/apps/:app/domains/:hostname":    {path: "/v1/apps/{app}/domains/www.{app}.example.com", ok: 204},
	"GET /v1/apps/:app/webhooks":                {path: "/v1/apps/{app}/webhooks", ok: 200},
	"POST /v1/apps/:app/webhooks":               {path: "/v1/apps/{app}/webhooks", body: `{"url":"https://ci.example.com/hook","events":["release.succeeded"]}`, ok: 201},
	"DELETE /v1/apps/:app/webhooks/:id":         {path: "/v1/apps/{app}/webhooks/1", ok: 204},
	"GET /v1/apps/:app/webhooks/:id/deliveries": {path: "/v1/apps/{app}/webhooks/1/deliveries", ok: 200},

	// fakeAddons's add-on <app>-db belongs to <app> (addons_test.go).
	"GET /v1/addons":                                 {path: "/v1/addons", ok: 200},
	"GET /v1/addons/:addon":                          {path: "/v1/addons/{app}-db", ok: 200},
	"DELETE /v1/addons/:addon":                       {path: "/v1/addons/{app}-db", ok: 204},
	"GET /v1/apps/:app/addons":                       {path: "/v1/apps/{app}/addons", ok: 200},
	"POST /v1/apps/:app/addons":                      {path: "/v1/apps/{app}/addons", body: `{"type":"postgres"}`, ok: 201},
	"GET /v1/apps/:app/addons/:addon":                {path: "/v1/apps/{app}/addons/{app}-db", ok: 200},
	"DELETE /v1/apps/:app/addons/:addon":             {path: "/v1/apps/{app}/addons/{app}-db", ok: 204},
	"PUT /v1/apps/:app/attachments/:addon":           {path: "/v1/apps/{app}/attachments/{app}-db", body: `{"as":"ANALYTICS"}`, ok: 200},
	"DELETE /v1/apps/:app/attachments/:addon":        {path: "/v1/apps/{app}/attachments/{app}-db", ok: 200},
	"GET /v1/apps/:app/addons/:addon/backups":        {path: "/v1/apps/{app}/addons/{app}-db/backups", ok: 200},
	"POST /v1/apps/:app/addons/:addon/backups":       {path: "/v1/apps/{app}/addons/{app}-db/backups", ok: 201},
	"DELETE /v1/apps/:app/addons/:addon/backups/:id": {path: "/v1/apps/{app}/addons/{app}-db/backups/b001", ok: 204},
	"POST /v1/apps/:app/addons/:addon/restores":      {path: "/v1/apps/{app}/addons/{app}-db/restores", body: `{"backup":1}`, ok: 204},
}

// gitSamples are the git endpoint's requests, with what each needs.
var gitSamples = map[string]struct {
	sample
	need paas.Permission
}{
	"git push":  {sample{path: "/git/{app}.git/info/refs?service=git-receive-pack", ok: 200}, gitserver.PushPermission},
	"git fetch": {sample{path: "/git/{app}.git/info/refs?service=git-upload-pack", ok: 200}, gitserver.FetchPermission},
}

// TestRouteRules fails when a route has no rule or no sample request, when
// a rule or sample names no route, or when a rule is not coherent with its
// path.
func TestRouteRules(t *testing.T) {
	e := New(Options{GitURL: func(string) string { return "" }, WebURL: func(string) string { return "" }},
		Handlers{Git: http.NotFoundHandler(), GitHooks: http.NotFoundHandler()}, slog.New(slog.DiscardHandler)).(*gin.Engine)
	served := map[string]bool{}
	for _, r := range e.Routes() {
		key := r.Method + " " + r.Path
		served[key] = true
		switch {
		case selfGuarded[key] || selfGuarded[r.Path]:
		case !strings.HasPrefix(r.Path, "/v1/"):
			t.Errorf("route %s is outside /v1 and not in selfGuarded: say how it checks its callers", key)
		case !hasRule(key):
			t.Errorf("route %s has no rule in api/authz.go: declare what it needs", key)
		case samples[key].path == "":
			t.Errorf("route %s has no sample request in api/authz_test.go: add one for the authorization matrix", key)
		}
	}
	for key, r := range rules {
		if !served[key] {
			t.Errorf("rule for %s names no route", key)
		}
		checkRule(t, key, r)
	}
	for key := range samples {
		if !served[key] {
			t.Errorf("sample for %s names no route", key)
		}
	}
}

func hasRule(key string) bool {
	_, ok := rules[key]
	return ok
}

// checkRule checks that a rule can be enforced as written: app routes need
// a role, a role needs an app, changes have an action name.
func checkRule(t *testing.T, key string, r rule) {
	t.Helper()
	onApp := strings.Contains(key, "/:app")
	switch {
	case r.public:
		if r.need != (paas.Permission{}) {
			t.Errorf("rule for %s is public but needs %+v", key, r.need)
		}
	case !r.need.Scope.Valid():
		t.Errorf("rule for %s needs no valid scope", key)
	case onApp && r.need.Role == "" && !r.need.Admin:
		t.Errorf("rule for %s acts on an app but needs no role on it", key)
	case !onApp && r.need.Role != "":
		t.Errorf("rule for %s needs role %s but names no :app", key, r.need.Role)
	}
	if changes(strings.Fields(key)[0]) && r.action == "" {
		t.Errorf("rule for %s changes something but has no action name for the audit log", key)
	}
}

// caller is who makes a request in the matrix.
type caller struct {
	name string
	// user is the one whose token is sent ("" for none); token picks it.
	user  string
	token func(e *testEnv) string
	// Whether the token authenticates, its scope, and the user's rights.
	valid bool
	scope paas.Scope
	admin bool
	role  paas.Role
	// member says the user belongs to the case's {team}.
	member bool
}

// callers are the roles and the token states of the matrix. olive owns
// every app of the matrix, dale deploys and vic views it; tess deploys it
// and tim views it only through teams; oscar only owns an app elsewhere,
// and otto only belongs to a team with a role elsewhere; ada is a platform
// admin.
var callers = []caller{
	{name: "owner", user: "olive", token: named("olive"), valid: true, scope: paas.ScopeAdmin, role: paas.RoleOwner},
	{name: "deployer", user: "dale", token: named("dale"), valid: true, scope: paas.ScopeAdmin, role: paas.RoleDeployer},
	{name: "viewer", user: "vic", token: named("vic"), valid: true, scope: paas.ScopeAdmin, role: paas.RoleViewer},
	{name: "other team", user: "oscar", token: named("oscar"), valid: true, scope: paas.ScopeAdmin},
	{name: "team deployer", user: "tess", token: named("tess"), valid: true, scope: paas.ScopeAdmin, role: paas.RoleDeployer},
	{name: "team viewer", user: "tim", token: named("tim"), valid: true, scope: paas.ScopeAdmin, role: paas.RoleViewer, member: true},
	{name: "other team's member", user: "otto", token: named("otto"), valid: true, scope: paas.ScopeAdmin},
	{name: "platform admin", user: "ada", token: named("ada"), valid: true, scope: paas.ScopeAdmin, admin: true},
	{name: "no token", token: func(*testEnv) string { return "" }},
	{name: "malformed token", token: func(*testEnv) string { return "not-a-token" }},
	{name: "expired token", user: "olive", token: func(e *testEnv) string {
		past := time.Now().Add(-time.Minute)
		return e.token("olive", paas.ScopeAdmin, &past)
	}},
	{name: "revoked token", user: "olive", token: func(e *testEnv) string { return e.revokedToken("olive") }},
	{name: "owner's read token", user: "olive", token: scoped("olive", paas.ScopeRead), valid: true, scope: paas.ScopeRead, role: paas.RoleOwner},
	{name: "owner's deploy token", user: "olive", token: scoped("olive", paas.ScopeDeploy), valid: true, scope: paas.ScopeDeploy, role: paas.RoleOwner},
	{name: "admin's read token", user: "ada", token: scoped("ada", paas.ScopeRead), valid: true, scope: paas.ScopeRead, admin: true},
}

func named(user string) func(*testEnv) string {
	return func(e *testEnv) string { return e.tokens[user] }
}

func scoped(user string, scope paas.Scope) func(*testEnv) string {
	return func(e *testEnv) string { return e.token(user, scope, nil) }
}

// expect is the status the security model (docs/security.md) gives
// caller c on a route that needs need, or ok when it is allowed.
func expect(public bool, need paas.Permission, c caller, ok int) int {
	switch {
	case public:
		return ok
	case !c.valid:
		return http.StatusUnauthorized
	case !c.scope.Includes(need.Scope):
		return http.StatusForbidden
	case need.Admin && !c.admin:
		return http.StatusForbidden
	case need.Role == "" || c.admin:
		return ok
	case c.role == "":
		return http.StatusNotFound // the app stays hidden
	case !c.role.Includes(need.Role):
		return http.StatusForbidden
	}
	return ok
}

// expectSample is expect, and then what the handler of a members-only
// route adds: a caller outside the team, not a platform admin, gets 404.
func expectSample(public bool, need paas.Permission, c caller, s sample) int {
	want := expect(public, need, c, s.ok)
	if want == s.ok && s.members && !c.admin && !c.member {
		return http.StatusNotFound
	}
	return want
}

// TestAuthorizationMatrix sends every route's sample request as every
// caller, on a fresh app each time, through the real engine, token service
// and store, and checks the status against the model.
func TestAuthorizationMatrix(t *testing.T) {
	e := newMatrixEnv(t)
	type row struct {
		key    string
		s      sample
		public bool
		need   paas.Permission
	}
	var rows []row
	for key, r := range rules {
		rows = append(rows, row{key, samples[key], r.public, r.need})
	}
	for key, g := range gitSamples {
		rows = append(rows, row{"GET " + key, g.sample, false, g.need})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].key < rows[j].key })
	n := 0
	for _, r := range rows {
		for _, c := range callers {
			n++
			app := fmt.Sprintf("m%d", n)
			want := expectSample(r.public, r.need, c, r.s)
			t.Run(r.key+"/"+c.name, func(t *testing.T) {
				req := e.matrixRequest(r.key, r.s, app, c)
				w := e.do(req)
				if w.Code != want {
					t.Errorf("%s %s as %s = %d, want %d: %s", req.method, req.path, c.name, w.Code, want, clip(w.Body.String()))
				}
			})
		}
	}
}

// newMatrixEnv makes the users of the matrix, and lou, who logs in.
func newMatrixEnv(t *testing.T) *testEnv {
	e := newTestEnv(t, Options{LoginPerIP: RateLimit{Burst: 1000, Every: time.Millisecond},
		LoginPerUser: RateLimit{Burst: 1000, Every: time.Millisecond}})
	for _, name := range []string{"olive", "dale", "vic", "oscar", "tara", "tess", "tim", "otto"} {
		e.addUser(name, false)
	}
	e.addUser("ada", true)
	if _, _, err := e.auth.CreateUser(t.Context(), "lou", false, "lou's long password"); err != nil {
		t.Fatal(err)
	}
	e.addApp("elsewhere", "oscar", nil)
	e.addTeam("outsiders", "elsewhere", paas.RoleDeployer, "otto")
	return e
}

// addTeam creates team with members and gives it role on app.
func (e *testEnv) addTeam(team, app string, role paas.Role, members ...string) {
	e.t.Helper()
	ctx := e.t.Context()
	_, err := e.db.CreateTeam(ctx, team)
	for _, m := range members {
		if err == nil {
			_, err = e.db.AddTeamMember(ctx, team, m)
		}
	}
	if err == nil {
		_, err = e.db.SetTeamRole(ctx, app, team, role)
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// matrixRequest prepares the case: app, owned by olive, with dale as
// deployer, vic and tara as viewers, team <app>-d (tess) as deployer, team
// <app>-v (tim and tara) as viewer, and a repository; and the request.
func (e *testEnv) matrixRequest(key string, s sample, app string, c caller) request {
	e.t.Helper()
	e.addApp(app, "olive", map[string]paas.Role{"dale": paas.RoleDeployer, "vic": paas.RoleViewer, "tara": paas.RoleViewer})
	e.addTeam(app+"-d", app, paas.RoleDeployer, "tess")
	e.addTeam(app+"-v", app, paas.RoleViewer, "tim", "tara")
	if err := e.git.CreateRepo(e.t.Context(), app); err != nil {
		e.t.Fatal(err)
	}
	builds, err := e.db.ListBuilds(e.t.Context(), app, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	holder := cmpOr(c.user, "olive")
	r := strings.NewReplacer("{app}", app, "{user}", "tara", "{team}", app+"-v", "{build}", fmt.Sprint(builds[0].ID),
		"{token}", e.tokenID(e.token(holder, paas.ScopeRead, nil)))
	return request{method: strings.Fields(key)[0], path: r.Replace(s.path), body: r.Replace(s.body),
		contentType: s.contentType, bearer: c.token(e)}
}

// tokenID returns the id of the token secret.
func (e *testEnv) tokenID(secret string) string {
	id, err := e.auth.Authenticate(e.t.Context(), secret)
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprint(id.Token.ID)
}

// TestAuthorizationModel spells out cases of the model by hand, so that
// the matrix's expectations are checked against the written policy too.
func TestAuthorizationModel(t *testing.T) {
	by := map[string]caller{}
	for _, c := range callers {
		by[c.name] = c
	}
	tests := []struct {
		route, caller string
		want          int
	}{
		{"GET /v1/apps/:app", "viewer", 200},
		{"GET /v1/apps/:app", "other team", 404},
		{"GET /v1/apps/:app", "platform admin", 200},
		{"GET /v1/apps/:app", "expired token", 401},
		{"GET /v1/apps/:app/config", "viewer", 403},
		{"GET /v1/apps/:app/config", "owner's read token", 403},
		{"PATCH /v1/apps/:app/config", "deployer", 200},
		{"PATCH /v1/apps/:app/config", "owner's deploy token", 200},
		{"PATCH /v1/apps/:app/config", "owner's read token", 403},
		{"POST /v1/apps/:app/runs", "viewer", 403},
		{"DELETE /v1/apps/:app", "deployer", 403},
		{"DELETE /v1/apps/:app", "owner's deploy token", 403},
		{"DELETE /v1/apps/:app", "owner", 204},
		{"PUT /v1/apps/:app/access/:user", "deployer", 403},
		{"PUT /v1/apps/:app/access/:user", "platform admin", 200},
		{"POST /v1/users", "owner", 403},
		{"POST /v1/users", "platform admin", 201},
		{"GET /v1/users", "admin's read token", 200},
		{"POST /v1/tokens", "owner's deploy token", 403},
		{"POST /v1/login", "no token", 201},
		{"POST /v1/apps", "owner's read token", 403},
		{"POST /v1/apps", "other team", 201},
		{"POST /v1/apps/:app/builds", "team deployer", 200},
		{"PATCH /v1/apps/:app/config", "team deployer", 200},
		{"DELETE /v1/apps/:app", "team deployer", 403},
		{"GET /v1/apps/:app", "team viewer", 200},
		{"POST /v1/apps/:app/builds", "team viewer", 403},
		{"GET /v1/apps/:app", "other team's member", 404},
		{"GET /v1/apps/:app/builds", "other team's member", 404},
		{"PUT /v1/apps/:app/access/teams/:team", "owner", 200},
		{"PUT /v1/apps/:app/access/teams/:team", "team deployer", 403},
		{"POST /v1/teams", "owner", 403},
		{"POST /v1/teams", "platform admin", 201},
		{"PUT /v1/teams/:team/members/:user", "team viewer", 403},
		{"GET /v1/teams/:team/members", "team viewer", 200},
		{"GET /v1/teams/:team/members", "owner", 404},
		{"GET /v1/teams/:team/members", "platform admin", 200},
	}
	for _, tt := range tests {
		r := rules[tt.route]
		if got := expectSample(r.public, r.need, by[tt.caller], samples[tt.route]); got != tt.want {
			t.Errorf("%s as %s: the rules give %d, the model says %d", tt.route, tt.caller, got, tt.want)
		}
	}
}
