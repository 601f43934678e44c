package apiclient_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/gitpaas/paas/internal/apiclient/apiclienttest"
	"github.com/google/go-cmp/cmp"
)

// releasedApp adds an app "hello" whose current release v1 runs web=1 and
// worker=0 with config var GREETING.
func releasedApp(t *testing.T, api *apiclienttest.Server) {
	t.Helper()
	api.AddApp("hello")
	api.AddRelease("hello", paas.Release{
		Version: 1, Image: "paas/hello:1", Status: paas.ReleaseSucceeded, Current: true, Reason: paas.ReasonDeploy,
		Config: map[string]string{"GREETING": "hi"},
		Spec: paas.ReleaseSpec{Formation: []paas.Process{
			{Type: "web", Count: 1, Command: []string{"./web"}}, {Type: "worker", Count: 0},
		}},
	})
}

// testAt is a fixed time for fixtures.
var testAt = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func ptr(s string) *string { return &s }

func TestConfigBeforeFirstRelease(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	api.AddApp("hello")
	cfg, err := c.Config().Get(ctx, "hello")
	if err != nil || cfg == nil || len(cfg) != 0 {
		t.Fatalf("Get() = %#v, %v; want an empty non-nil map", cfg, err)
	}
	change, err := c.Config().Update(ctx, "hello", map[string]*string{"A": ptr("1"), "B": ptr("x=y")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&apiclient.ConfigChange{ConfigKeys: []string{"A", "B"}}, change); diff != "" {
		t.Errorf("Update() mismatch (-want +got):\n%s", diff)
	}
	cfg, err = c.Config().Get(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"A": "1", "B": "x=y"}, cfg); diff != "" {
		t.Errorf("Get() after Update (-want +got):\n%s", diff)
	}
}

func TestConfigUpdateMakesRelease(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	releasedApp(t, api)
	change, err := c.Config().Update(ctx, "hello", map[string]*string{"GREETING": nil, "TOKEN": ptr("s3cr3t")})
	if err != nil {
		t.Fatal(err)
	}
	r := change.Release
	if r == nil || r.Version != 2 || !r.Current || r.Reason != paas.ReasonConfig ||
		r.Description != "Set TOKEN; Unset GREETING config vars" || r.Image != "paas/hello:1" {
		t.Fatalf("Update().Release = %+v", r)
	}
	if diff := cmp.Diff([]string{"TOKEN"}, change.ConfigKeys); diff != "" {
		t.Errorf("ConfigKeys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"TOKEN"}, r.ConfigKeys); diff != "" {
		t.Errorf("Release.ConfigKeys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"TOKEN": "s3cr3t"}, api.Config("hello")); diff != "" {
		t.Errorf("config after Update (-want +got):\n%s", diff)
	}
	reqs := api.Requests()
	if got := reqs[len(reqs)-1]; got.Method != "PATCH" || got.Body != `{"GREETING":null,"TOKEN":"s3cr3t"}` {
		t.Errorf("request = %s %s", got.Method, got.Body)
	}
}

func TestConfigErrors(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	releasedApp(t, api)
	tests := []struct {
		name     string
		app      string
		changes  map[string]*string
		wantCode string
		wantMsg  string
	}{
		{name: "unknown app", app: "nope", changes: map[string]*string{"A": ptr("1")}, wantCode: paas.ENOTFOUND, wantMsg: `app "nope" not found`},
		{name: "no changes", app: "hello", wantCode: paas.EINVALID, wantMsg: "no config vars given"},
		{name: "bad key", app: "hello", changes: map[string]*string{"1A": ptr("1")}, wantCode: paas.EINVALID, wantMsg: `config var name "1A" is not valid`},
		{name: "platform key", app: "hello", changes: map[string]*string{"PORT": ptr("80")}, wantCode: paas.EINVALID, wantMsg: "PORT is set by the platform"},
		{name: "NUL in value", app: "hello", changes: map[string]*string{"A": ptr("x\x00y")}, wantCode: paas.EINVALID, wantMsg: "the value of A contains a NUL byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Config().Update(ctx, tt.app, tt.changes)
			wantCode(t, err, tt.wantCode, tt.wantMsg)
		})
	}
	_, err := c.Config().Get(ctx, "nope")
	wantCode(t, err, paas.ENOTFOUND, `app "nope" not found`)
}

func TestRollback(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	releasedApp(t, api)
	api.AddRelease("hello", paas.Release{Version: 2, Image: "paas/hello:2", Status: paas.ReleaseFailed})
	if _, err := c.Config().Update(ctx, "hello", map[string]*string{"GREETING": ptr("hello")}); err != nil {
		t.Fatal(err)
	}
	// v3 is current: the default target is v1, since v2 failed.
	r, err := c.Releases().Rollback(ctx, "hello", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != 4 || r.Reason != paas.ReasonRollback || r.Description != "Rollback to v1" || r.Image != "paas/hello:1" || !r.Current {
		t.Errorf("Rollback(0) = %+v", r)
	}
	if got := api.Config("hello")["GREETING"]; got != "hi" {
		t.Errorf("GREETING after rollback = %q, want v1's value hi", got)
	}
	r, err = c.Releases().Rollback(ctx, "hello", 3)
	if err != nil || r.Version != 5 || r.Description != "Rollback to v3" {
		t.Errorf("Rollback(3) = %+v, %v", r, err)
	}
	_, err = c.Releases().Rollback(ctx, "hello", 2)
	wantCode(t, err, paas.EINVALID, "v2 never ran (it failed)")
	_, err = c.Releases().Rollback(ctx, "hello", 9)
	wantCode(t, err, paas.ENOTFOUND, `release "9" of app "hello" not found`)

	var bodies []string
	for _, req := range api.Requests() {
		if req.Path == "/v1/apps/hello/rollback" {
			bodies = append(bodies, req.Body)
		}
	}
	if diff := cmp.Diff([]string{"", `{"version":3}`, `{"version":2}`, `{"version":9}`}, bodies); diff != "" {
		t.Errorf("rollback bodies (-want +got):\n%s", diff)
	}
}

func TestRollbackWithoutRelease(t *testing.T) {
	c, api := newClient(t)
	api.AddApp("hello")
	_, err := c.Releases().Rollback(context.Background(), "hello", 0)
	wantCode(t, err, paas.EINVALID, "app hello has no release to roll back from")
}

func TestFormation(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	api.AddApp("empty")
	if f, err := c.Formation().List(ctx, "empty"); err != nil || f == nil || len(f) != 0 {
		t.Errorf("List() before a release = %#v, %v; want empty", f, err)
	}
	_, err := c.Formation().Scale(ctx, "empty", map[string]int{"web": 1})
	wantCode(t, err, paas.ENOTFOUND, "app empty has no release yet")

	releasedApp(t, api)
	r, err := c.Formation().Scale(ctx, "hello", map[string]int{"web": 3, "worker": 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []paas.Process{{Type: "web", Count: 3, Command: []string{"./web"}}, {Type: "worker", Count: 1}}
	if r.Version != 2 || r.Reason != paas.ReasonScale || r.Description != "Scale web=3 worker=1" {
		t.Errorf("Scale() = %+v", r)
	}
	if diff := cmp.Diff(want, r.Spec.Formation); diff != "" {
		t.Errorf("Scale() formation (-want +got):\n%s", diff)
	}
	got, err := c.Formation().List(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List() (-want +got):\n%s", diff)
	}
	_, err = c.Formation().Scale(ctx, "hello", map[string]int{"clock": 1})
	wantCode(t, err, paas.EINVALID, `no process type "clock"; the types are web, worker`)
	_, err = c.Formation().Scale(ctx, "hello", map[string]int{"web": 101})
	wantCode(t, err, paas.EINVALID, "web=101: a count is between 0 and 100")
}

func TestProcesses(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	releasedApp(t, api)
	if ps, err := c.Processes().List(ctx, "hello"); err != nil || ps == nil || len(ps) != 0 {
		t.Errorf("List() with none = %#v, %v; want empty", ps, err)
	}
	wantCode(t, c.Processes().Restart(ctx, "hello", ""), paas.ENOTFOUND, "release v1 of hello has no instances to restart")

	if _, err := c.Formation().Scale(ctx, "hello", map[string]int{"web": 2}); err != nil {
		t.Fatal(err)
	}
	ps, err := c.Processes().List(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		if p.Release != 2 || p.State != "running" || !p.Healthy {
			t.Errorf("instance %+v, want a healthy running instance of v2", p)
		}
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"web.1", "web.2"}, names); diff != "" {
		t.Errorf("List() names (-want +got):\n%s", diff)
	}
	if err := c.Processes().Restart(ctx, "hello", "web"); err != nil {
		t.Error(err)
	}
	if err := c.Processes().Restart(ctx, "hello", ""); err != nil {
		t.Error(err)
	}
	wantCode(t, c.Processes().Restart(ctx, "hello", "worker"), paas.ENOTFOUND, "has no worker instances to restart")
	wantCode(t, c.Processes().Restart(ctx, "hello", "clock"), paas.EINVALID, `no process type "clock" in v2`)

	var bodies []string
	for _, req := range api.Requests() {
		if strings.HasSuffix(req.Path, "/ps/restart") {
			bodies = append(bodies, req.Body)
		}
	}
	if diff := cmp.Diff([]string{"", `{"type":"web"}`, "", `{"type":"worker"}`, `{"type":"clock"}`}, bodies); diff != "" {
		t.Errorf("restart bodies (-want +got):\n%s", diff)
	}
}

func TestLastDrift(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	api.AddApp("hello")
	app, err := c.Apps().Get(ctx, "hello")
	if err != nil || app.LastDrift != nil {
		t.Fatalf("Get() without drift = %+v, %v", app, err)
	}
	ev := paas.Event{Kind: paas.EventDrift, Message: "web.2 was missing; started it", CreatedBy: "reconciler", CreatedAt: testAt}
	api.SetLastDrift("hello", ev)
	app, err = c.Apps().Get(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	ev.App = "hello"
	if diff := cmp.Diff(&ev, app.LastDrift); diff != "" {
		t.Errorf("LastDrift (-want +got):\n%s", diff)
	}
}
