package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// deployHarness is logged in and has an app "hello" with two builds and
// two releases, v2 current.
func deployHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	done := testNow.Add(-50 * time.Minute)
	h.api.AddBuild("hello", paas.Build{
		ID: 7, Commit: "aaaaaaaaaaaa", Ref: "refs/heads/main", Status: paas.BuildFailed, Error: "docker build: exit 1",
		CreatedBy: "admin", CreatedAt: testNow.Add(-3 * time.Hour), FinishedAt: &done,
	}, "Step 1/2 : FROM scratch\nboom")
	h.api.AddBuild("hello", paas.Build{
		ID: 8, Commit: "bbbbbbbbbbbb", Ref: "refs/heads/main", Status: paas.BuildSucceeded, Image: "paas/hello:8", Release: 2,
		CreatedBy: "admin", CreatedAt: testNow.Add(-2 * time.Minute),
	}, "built\n")
	h.api.AddRelease("hello", paas.Release{
		Version: 1, Image: "paas/hello:6", BuildID: 6, Description: "Deploy aaaaaaa", Status: paas.ReleaseSucceeded,
		CreatedBy: "admin", CreatedAt: testNow.Add(-48 * time.Hour),
	})
	h.api.AddRelease("hello", paas.Release{
		Version: 2, Image: "paas/hello:8", BuildID: 8, Description: "Deploy bbbbbbb", Status: paas.ReleaseSucceeded, Current: true,
		CreatedBy: "admin", CreatedAt: testNow.Add(-90 * time.Second),
	})
	return h
}

func TestTables(t *testing.T) {
	t.Parallel()
	h := deployHarness(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			name: "releases",
			args: []string{"releases", "-a", "hello"},
			want: "   VERSION  STATUS     DESCRIPTION     BY     CREATED\n" +
				"*  v2       succeeded  Deploy bbbbbbb  admin  1m ago\n" +
				"   v1       succeeded  Deploy aaaaaaa  admin  2d ago\n",
		},
		{
			name: "releases --num",
			args: []string{"releases", "-a", "hello", "--num", "1"},
			want: "   VERSION  STATUS     DESCRIPTION     BY     CREATED\n" +
				"*  v2       succeeded  Deploy bbbbbbb  admin  1m ago\n",
		},
		{
			name: "builds",
			args: []string{"builds", "-a", "hello"},
			want: "ID  STATUS     COMMIT   RELEASE  BY     CREATED\n" +
				"8   succeeded  bbbbbbb  v2       admin  2m ago\n" +
				"7   failed     aaaaaaa  -        admin  3h ago\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.mustRun(tt.args...)
			if diff := cmp.Diff(tt.want, r.stdout); diff != "" {
				t.Errorf("paas %s (-want +got):\n%s", strings.Join(tt.args, " "), diff)
			}
		})
	}
}

func TestEmptyListings(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	for _, args := range [][]string{{"releases", "-a", "hello"}, {"builds", "-a", "hello"}} {
		r := h.mustRun(args...)
		wantContains(t, args[0], r.stdout, "hello has no "+args[0]+" yet; deploy with: git push paas main")
		if r := h.mustRun(append(args, "--json")...); r.stdout != "[]\n" {
			t.Errorf("%s --json = %q, want []", args[0], r.stdout)
		}
	}
}

func TestJSONOutputs(t *testing.T) {
	t.Parallel()
	h := deployHarness(t)
	tests := []struct {
		name  string
		args  []string
		into  any
		check func(any) bool
	}{
		{
			name: "releases", args: []string{"releases", "-a", "hello", "--json"}, into: &[]paas.Release{},
			check: func(v any) bool { l := *v.(*[]paas.Release); return len(l) == 2 && l[0].Version == 2 && l[0].Current },
		},
		{
			name: "releases:info", args: []string{"releases:info", "v1", "-a", "hello", "--json"}, into: &paas.Release{},
			check: func(v any) bool {
				r := v.(*paas.Release)
				return r.Version == 1 && r.CreatedAt.Equal(testNow.Add(-48*time.Hour))
			},
		},
		{
			name: "builds", args: []string{"builds", "-a", "hello", "--json"}, into: &[]paas.Build{},
			check: func(v any) bool { l := *v.(*[]paas.Build); return len(l) == 2 && l[0].Commit == "bbbbbbbbbbbb" },
		},
		{
			name: "builds:info", args: []string{"builds:info", "7", "-a", "hello", "--json"}, into: &paas.Build{},
			check: func(v any) bool { b := v.(*paas.Build); return b.ID == 7 && b.Error == "docker build: exit 1" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.mustRun(tt.args...)
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(tt.into); err != nil || !tt.check(tt.into) {
				t.Errorf("paas %s = %s (%v)", strings.Join(tt.args, " "), r.stdout, err)
			}
		})
	}
}

func TestReleasesInfo(t *testing.T) {
	t.Parallel()
	h := deployHarness(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		wantErr  string
	}{
		{name: "current by default", want: []string{"=== Release v2 of hello\n", "Current:      yes\n", "Build:        8\n"}},
		{name: "v prefix", args: []string{"v1"}, want: []string{"=== Release v1 of hello\n", "Current:      no\n", "Description:  Deploy aaaaaaa\n"}},
		{name: "bare number", args: []string{"1"}, want: []string{"=== Release v1 of hello\n"}},
		{name: "not found", args: []string{"v9"}, wantCode: ExitError, wantErr: `release "9" of app "hello" not found`},
		{name: "not a version", args: []string{"latest"}, wantCode: ExitUsage, wantErr: `release version "latest" is not a version such as v3`},
		{name: "two versions", args: []string{"v1", "v2"}, wantCode: ExitUsage, wantErr: `unexpected argument "v2"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run("", append([]string{"releases:info", "-a", "hello"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			wantContains(t, "stdout", r.stdout, tt.want...)
		})
	}
}

func TestBuildsInfo(t *testing.T) {
	t.Parallel()
	h := deployHarness(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		notWant  string
		wantErr  string
	}{
		{
			name: "with log", args: []string{"7"},
			want: []string{"=== Build 7 of hello\n", "Status:    failed\n", "Commit:    aaaaaaaaaaaa\n", "Error:     docker build: exit 1\n",
				"\n=== Build log\nStep 1/2 : FROM scratch\nboom\n"},
		},
		{name: "without log", args: []string{"8", "--no-log"}, want: []string{"Image:     paas/hello:8\n", "Release:   v2\n"}, notWant: "=== Build log"},
		{name: "not found", args: []string{"99"}, wantCode: ExitError, wantErr: `build "99" of app "hello" not found`},
		{name: "not a number", args: []string{"abc"}, wantCode: ExitUsage, wantErr: `build ID "abc" is not a number`},
		{name: "missing id", wantCode: ExitUsage, wantErr: "missing build ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run("", append([]string{"builds:info", "-a", "hello"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			wantContains(t, "stdout", r.stdout, tt.want...)
			if tt.notWant != "" && strings.Contains(r.stdout, tt.notWant) {
				t.Errorf("stdout contains %q:\n%s", tt.notWant, r.stdout)
			}
		})
	}
}

func TestReleasesInfoSpec(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	h.mustRun("config:set", "-a", "hello", "DATABASE_URL=postgres://user:pw-s3cret@db/app")
	r := h.mustRun("releases:info", "-a", "hello")
	wantContains(t, "releases:info", r.stdout,
		"=== Release v2 of hello\n",
		"Reason:       config\n",
		"Description:  Set DATABASE_URL config vars\n",
		"Formation:    web=1 (./web --port '$PORT')\n              worker=0\n",
		"Config vars:  DATABASE_URL, GREETING\n",
		"Health:       /healthz every 10s, timeout 2s\n",
	)
	wantNoSecret(t, r, "pw-s3cret")
	wantNoSecret(t, r, "hi\n")

	r = h.mustRun("releases:info", "v1", "-a", "hello")
	wantContains(t, "releases:info v1", r.stdout, "Reason:       deploy\n", "Config vars:  GREETING\n")
}

func TestReleasesInfoEmptySpec(t *testing.T) {
	t.Parallel()
	h := deployHarness(t)
	r := h.mustRun("releases:info", "-a", "hello")
	wantContains(t, "releases:info", r.stdout, "Reason:       -\n", "Formation:    -\n", "Config vars:  -\n", "Health:       -\n")
}
