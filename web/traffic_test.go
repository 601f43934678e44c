package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// edge is an in-memory platform edge: custom domains, maintenance mode,
// a canary, autoscaling policies and scale events.
type edge struct {
	mu          sync.Mutex
	domains     map[string][]*paas.Domain
	maintenance map[string]bool
	canary      *paas.CanaryStatus
	ended       string // "promoted" or "aborted"
	policies    []paas.AutoscaleStatus
	events      []*paas.Event
}

func newEdge() *edge {
	return &edge{domains: map[string][]*paas.Domain{}, maintenance: map[string]bool{}}
}

func (e *edge) List(_ context.Context, app string) ([]*paas.Domain, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.domains[app], nil
}

func (e *edge) Add(_ context.Context, app string, user *paas.User, host, _, _ string) (*paas.Domain, error) {
	if err := paas.ValidateHostname(host, "localhost"); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	d := &paas.Domain{Hostname: host, App: app, CreatedBy: user.Name, CertSelfSigned: true, CertNotAfter: time.Now().AddDate(0, 0, 90)}
	e.domains[app] = append(e.domains[app], d)
	return d, nil
}

func (e *edge) Remove(_ context.Context, app, host string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, d := range e.domains[app] {
		if d.Hostname == host {
			e.domains[app] = append(e.domains[app][:i], e.domains[app][i+1:]...)
			return nil
		}
	}
	return paas.Errorf(paas.ENOTFOUND, "domain %s of app %q not found", host, app)
}

func (e *edge) Maintenance(_ context.Context, app string) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.maintenance[app], nil
}

func (e *edge) SetMaintenance(_ context.Context, app string, on bool, _ *paas.User) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.maintenance[app] = on
	return nil
}

func (e *edge) Canary(_ context.Context, app string) (*paas.CanaryStatus, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.canary == nil {
		return nil, paas.Errorf(paas.ENOTFOUND, "app %s has no canary in progress", app)
	}
	return e.canary, nil
}

func (e *edge) PromoteCanary(ctx context.Context, app string, _ *paas.User) error {
	return e.endCanary(app, "promoted")
}

func (e *edge) AbortCanary(ctx context.Context, app string, _ *paas.User) error {
	return e.endCanary(app, "aborted")
}

func (e *edge) endCanary(app, how string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.canary == nil {
		return paas.Errorf(paas.ENOTFOUND, "app %s has no canary in progress", app)
	}
	e.canary, e.ended = nil, how
	return nil
}

func (e *edge) Policies(context.Context, string) ([]paas.AutoscaleStatus, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.policies, nil
}

func (e *edge) ListEvents(_ context.Context, _, kind string, limit int) ([]*paas.Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*paas.Event
	for _, ev := range e.events {
		if ev.Kind == kind && len(out) < limit {
			out = append(out, ev)
		}
	}
	return out, nil
}

// follow posts form to path and returns the page it redirects to.
func (c *client) follow(path string, form url.Values) (*http.Response, string) {
	c.e.t.Helper()
	resp := c.post(path, form)
	if resp.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("POST %s: %s, want a redirect", path, resp.Status)
	}
	_, page := c.get(resp.Header.Get("Location"))
	return resp, page
}

func TestOverviewShowsTheEdge(t *testing.T) {
	e := newEnv(t)
	e.edge.domains["shop"] = []*paas.Domain{{Hostname: "www.shop.test", App: "shop", CertSelfSigned: true, CertNotAfter: time.Now().AddDate(0, 0, 90)}}
	e.edge.canary = &paas.CanaryStatus{App: "shop", Stable: 3, Canary: 4, Weight: 25, Steps: []int{10, 25, 50}, Step: 1,
		StartedAt: time.Now().Add(-time.Minute), NextAt: time.Now().Add(time.Minute), Analysis: []string{"step 10%: 0.0% errors, p95 12ms; go on"}}
	e.edge.policies = []paas.AutoscaleStatus{{AutoscalePolicy: paas.AutoscalePolicy{App: "shop", Process: "web", Enabled: true, Min: 0, Max: 5,
		AutoscaleTargets: paas.AutoscaleTargets{Inflight: 20}}, Count: 2, Reasoning: "2 in flight per instance; keep 2", DecidedAt: time.Now()}}
	e.edge.events = []*paas.Event{{App: "shop", Kind: paas.EventScale, Message: "web 1 → 2: 45 in flight", CreatedBy: "autoscaler", CreatedAt: time.Now()}}
	_, body := e.loggedIn("ada").get("/console/apps/shop")
	for _, want := range []string{"https://www.shop.test/", "self-signed certificate", `aria-label="Remove www.shop.test"`, `id="domain-hostname"`,
		"Turn maintenance on", "v4 takes <strong>25%</strong>", "10% → [25%] → 50%", "p95 12ms", "Promote v4", "Abort, keep v3",
		"0–5", "20 in flight per instance", "to zero after 5m idle", "Next analysis", "keep 2", "web 1 → 2: 45 in flight"} {
		if !strings.Contains(body, want) {
			t.Errorf("the owner's overview lacks %q", want)
		}
	}
	_, body = e.loggedIn("val").get("/console/apps/shop")
	for _, absent := range []string{"Turn maintenance", "Promote", "Abort", `id="domain-hostname"`, "Remove www.shop.test"} {
		if strings.Contains(body, absent) {
			t.Errorf("a viewer's overview offers %q", absent)
		}
	}
	if !strings.Contains(body, "www.shop.test") || !strings.Contains(body, "25%") {
		t.Error("a viewer's overview does not show the domains or the canary")
	}
}

func TestMaintenanceAndCanaryForms(t *testing.T) {
	e := newEnv(t)
	c := e.loggedIn("ada")
	token := c.csrf("/console/apps/shop")
	if resp := c.post("/console/apps/shop/maintenance", url.Values{"maintenance": {"on"}}); resp.StatusCode != http.StatusForbidden || e.edge.maintenance["shop"] {
		t.Fatalf("maintenance without a CSRF token: %s, on=%v", resp.Status, e.edge.maintenance["shop"])
	}
	_, page := c.follow("/console/apps/shop/maintenance", url.Values{"csrf": {token}, "maintenance": {"on"}})
	if !e.edge.maintenance["shop"] || !strings.Contains(page, "Maintenance mode is on") || !strings.Contains(page, "Turn maintenance off") {
		t.Fatalf("after turning maintenance on: on=%v\n%s", e.edge.maintenance["shop"], page)
	}
	c.follow("/console/apps/shop/maintenance", url.Values{"csrf": {token}, "maintenance": {"off"}})
	if e.edge.maintenance["shop"] {
		t.Fatal("maintenance is still on")
	}
	if _, page = c.follow("/console/apps/shop/maintenance", url.Values{"csrf": {token}, "maintenance": {"maybe"}}); !strings.Contains(page, "must be on or off") {
		t.Errorf("a bad value shows no error:\n%s", page)
	}

	if _, page = c.follow("/console/apps/shop/canary/promote", url.Values{"csrf": {token}}); !strings.Contains(page, "no canary in progress") {
		t.Errorf("promoting no canary shows no error:\n%s", page)
	}
	e.edge.canary = &paas.CanaryStatus{App: "shop", Stable: 1, Canary: 2, Weight: 10, Steps: []int{10, 50}}
	if _, page = c.follow("/console/apps/shop/canary/abort", url.Values{"csrf": {token}}); e.edge.ended != "aborted" || !strings.Contains(page, "Aborted the canary") {
		t.Errorf("abort: ended %q\n%s", e.edge.ended, page)
	}
	actions := map[string]bool{}
	for _, a := range e.mem.audit {
		actions[a.Action] = true
	}
	for _, want := range []string{"app.maintenance", "canary.promote", "canary.abort"} {
		if !actions[want] {
			t.Errorf("%s is not in the audit log", want)
		}
	}

	v := e.loggedIn("val")
	vt := v.csrf("/console/apps/shop")
	for _, path := range []string{"/console/apps/shop/maintenance", "/console/apps/shop/canary/promote", "/console/apps/shop/canary/abort"} {
		if resp := v.post(path, url.Values{"csrf": {vt}, "maintenance": {"on"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %s, want 403", path, resp.Status)
		}
	}
}

func TestDomainForms(t *testing.T) {
	e := newEnv(t)
	c := e.loggedIn("ada")
	token := c.csrf("/console/apps/shop")
	_, page := c.follow("/console/apps/shop/domains", url.Values{"csrf": {token}, "hostname": {" www.shop.test "}})
	if len(e.edge.domains["shop"]) != 1 || !strings.Contains(page, "Added www.shop.test") {
		t.Fatalf("add: %v\n%s", e.edge.domains["shop"], page)
	}
	if _, page = c.follow("/console/apps/shop/domains", url.Values{"csrf": {token}, "hostname": {"Bad_Name"}}); !strings.Contains(page, "upper-case") {
		t.Errorf("a bad hostname shows no error:\n%s", page)
	}
	if resp := c.post("/console/apps/shop/domains/remove", url.Values{"hostname": {"www.shop.test"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("remove without a CSRF token: %s, want 403", resp.Status)
	}

	// A deployer is not an owner: domains claim hostnames, as in the API.
	e.mem.roles["shop"][e.mem.users["val"].ID] = paas.RoleDeployer
	v := e.loggedIn("val")
	vt := v.csrf("/console/apps/shop")
	if _, body := v.get("/console/apps/shop"); strings.Contains(body, `id="domain-hostname"`) || !strings.Contains(body, "Turn maintenance on") {
		t.Error("a deployer's overview offers domains, or no maintenance control")
	}
	for path, host := range map[string]string{"/console/apps/shop/domains": "x.shop.test", "/console/apps/shop/domains/remove": "www.shop.test"} {
		if resp := v.post(path, url.Values{"csrf": {vt}, "hostname": {host}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("deployer POST %s: %s, want 403", path, resp.Status)
		}
	}

	if _, page = c.follow("/console/apps/shop/domains/remove", url.Values{"csrf": {token}, "hostname": {"www.shop.test"}}); len(e.edge.domains["shop"]) != 0 || !strings.Contains(page, "Removed www.shop.test") {
		t.Fatalf("remove: %v\n%s", e.edge.domains["shop"], page)
	}
}

func TestShortDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{5 * time.Minute, "5m"},
		{90 * time.Second, "1m30s"},
		{2 * time.Hour, "2h"},
		{200 * time.Millisecond, "200ms"},
	} {
		if got := shortDuration(tc.d); got != tc.want {
			t.Errorf("shortDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestOverviewWithoutEdgeServices(t *testing.T) {
	e := newEnv(t, func(s *Services) {
		s.Domains, s.Maintenance, s.Canaries, s.Autoscaling, s.Events = nil, nil, nil, nil, nil
	})
	c := e.loggedIn("ada")
	code, body := c.get("/console/apps/shop")
	if code != http.StatusOK || strings.Contains(body, "Maintenance") || strings.Contains(body, "Canary") ||
		strings.Contains(body, "Autoscaling") || strings.Contains(body, `id="domain-hostname"`) {
		t.Fatalf("overview without the edge's services: %d\n%s", code, body)
	}
	if resp := c.post("/console/apps/shop/maintenance", url.Values{"csrf": {c.csrf("/console/apps/shop")}, "maintenance": {"on"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST maintenance without the service: %s, want 404", resp.Status)
	}
}
