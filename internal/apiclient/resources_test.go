package apiclient_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/google/go-cmp/cmp"
)

func TestWhoami(t *testing.T) {
	c, api := newClient(t)
	u, err := c.Whoami(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(api.User, *u); diff != "" {
		t.Errorf("Whoami() mismatch (-want +got):\n%s", diff)
	}
}

func TestApps(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	api.AddApp("existing")

	tests := []struct {
		name     string
		app      string
		wantCode string
		wantMsg  string
	}{
		{name: "created", app: "hello"},
		{name: "duplicate", app: "existing", wantCode: paas.ECONFLICT, wantMsg: `app "existing" already exists`},
		{name: "invalid name", app: "Hello", wantCode: paas.EINVALID, wantMsg: "must start with a lower-case letter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, err := c.Apps().Create(ctx, tt.app)
			if tt.wantCode != "" {
				wantCode(t, err, tt.wantCode, tt.wantMsg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if app.Name != tt.app || app.Owner != "admin" || app.GitURL != api.URL+"/git/"+tt.app+".git" ||
				app.WebURL != "http://"+tt.app+".localhost:8080/" {
				t.Errorf("Create() = %+v", app)
			}
			got, err := c.Apps().Get(ctx, tt.app)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(app, got); diff != "" {
				t.Errorf("Get() mismatch (-created +got):\n%s", diff)
			}
		})
	}
}

func TestAppsListAndDelete(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	api.AddApp("b")
	api.AddApp("a")
	apps, err := c.Apps().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range apps {
		names = append(names, a.Name)
	}
	if diff := cmp.Diff([]string{"a", "b"}, names); diff != "" {
		t.Errorf("List() names (-want +got):\n%s", diff)
	}
	if err := c.Apps().Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if api.HasApp("a") {
		t.Error("app a still exists after Delete")
	}
	wantCode(t, c.Apps().Delete(ctx, "a"), paas.ENOTFOUND, `app "a" not found`)
}

func TestBuilds(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	api.AddApp("hello")
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	b1 := api.AddBuild("hello", paas.Build{Commit: "aaaa", Status: paas.BuildFailed, CreatedBy: "admin", CreatedAt: at}, "step 1\nboom\n")
	b2 := api.AddBuild("hello", paas.Build{Commit: "bbbb", Status: paas.BuildSucceeded, Release: 1, CreatedAt: at}, "ok\n")

	list, err := c.Builds().List(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]paas.Build{b2, b1}, list); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
	got, err := c.Builds().Get(ctx, "hello", b1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b1, *got); diff != "" {
		t.Errorf("Get() mismatch (-want +got):\n%s", diff)
	}
	rc, err := c.Builds().Log(ctx, "hello", b1.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if log, _ := io.ReadAll(rc); string(log) != "step 1\nboom\n" {
		t.Errorf("Log() = %q", log)
	}
	_, err = c.Builds().Get(ctx, "hello", 999)
	wantCode(t, err, paas.ENOTFOUND, `build "999" of app "hello" not found`)
	_, err = c.Builds().Log(ctx, "nope", 1)
	wantCode(t, err, paas.ENOTFOUND, `app "nope" not found`)
}

func TestReleases(t *testing.T) {
	ctx := context.Background()
	c, api := newClient(t)
	api.AddApp("hello")
	r1 := api.AddRelease("hello", paas.Release{Version: 1, Status: paas.ReleaseSucceeded, Description: "Deploy aaaa"})
	r2 := api.AddRelease("hello", paas.Release{Version: 2, Status: paas.ReleaseSucceeded, Current: true})

	list, err := c.Releases().List(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]paas.Release{r2, r1}, list); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
	got, err := c.Releases().Get(ctx, "hello", 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r1, *got); diff != "" {
		t.Errorf("Get() mismatch (-want +got):\n%s", diff)
	}
	_, err = c.Releases().Get(ctx, "hello", 7)
	wantCode(t, err, paas.ENOTFOUND, `release "7" of app "hello" not found`)
}

func TestWrongToken(t *testing.T) {
	_, api := newClient(t)
	c, err := apiclient.New(apiclient.Config{Address: api.URL, Token: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Apps().List(context.Background())
	wantCode(t, err, paas.EUNAUTHORIZED, "missing or invalid token")
}
