package postgres_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestCreateRelease(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	mustApp(t, db, "other")
	build := mustFinishedBuild(t, db, "hello", paas.BuildSucceeded)
	otherBuild := mustFinishedBuild(t, db, "other", paas.BuildSucceeded)
	// The cases run in order: versions count only the releases made.
	tests := []struct {
		name     string
		in       paas.Release
		want     *paas.Release
		wantCode string
		wantMsg  string
	}{
		{name: "from a build",
			in:   paas.Release{App: "hello", Image: "img/hello:1", BuildID: build.ID, Description: "deploy abc", CreatedBy: "alice"},
			want: &paas.Release{App: "hello", Version: 1, Image: "img/hello:1", BuildID: build.ID, Description: "deploy abc", Status: paas.ReleasePending, Reason: paas.ReasonDeploy, CreatedBy: "alice"}},
		{name: "build of another app",
			in:       paas.Release{App: "hello", Image: "img/other:1", BuildID: otherBuild.ID, CreatedBy: "alice"},
			wantCode: paas.ENOTFOUND,
			wantMsg:  fmt.Sprintf(`build %d of app "hello" not found; list its builds with: paas builds -a hello`, otherBuild.ID)},
		{name: "without a build",
			in:   paas.Release{App: "hello", Image: "img/hello:1", Description: "rollback to v1", CreatedBy: "bob"},
			want: &paas.Release{App: "hello", Version: 2, Image: "img/hello:1", Description: "rollback to v1", Status: paas.ReleasePending, Reason: paas.ReasonDeploy, CreatedBy: "bob"}},
		{name: "first of another app",
			in:   paas.Release{App: "other", Image: "img/other:1", BuildID: otherBuild.ID, CreatedBy: "alice"},
			want: &paas.Release{App: "other", Version: 1, Image: "img/other:1", BuildID: otherBuild.ID, Status: paas.ReleasePending, Reason: paas.ReasonDeploy, CreatedBy: "alice"}},
		{name: "no image", in: paas.Release{App: "hello", CreatedBy: "alice"}, wantCode: paas.EINVALID},
		{name: "missing app", in: paas.Release{App: "nope", Image: "img", CreatedBy: "alice"}, wantCode: paas.ENOTFOUND,
			wantMsg: `app "nope" not found; list your apps with: paas apps`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.CreateRelease(t.Context(), &tt.in)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				if tt.wantMsg != "" {
					checkMessage(t, err, tt.wantMsg)
				}
				return
			}
			checkRecent(t, "CreatedAt", got.CreatedAt)
			tt.want.ID = got.ID
			if diff := cmp.Diff(tt.want, got, ignoreTimes); diff != "" {
				t.Errorf("CreateRelease mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateReleaseConcurrently(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	const n = 10
	versions := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := db.CreateRelease(t.Context(), &paas.Release{App: "hello", Image: fmt.Sprintf("img/hello:%d", i), CreatedBy: "alice"})
			if err != nil {
				t.Errorf("CreateRelease: %v", err)
				return
			}
			versions[i] = r.Version
		})
	}
	wg.Wait()
	slices.Sort(versions)
	want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if diff := cmp.Diff(want, versions); diff != "" {
		t.Errorf("versions of concurrent releases mismatch (-want +got):\n%s", diff)
	}
}

func TestSetReleaseStatus(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	tests := []struct {
		name     string
		app      string
		version  int // 0: a new release of app
		status   paas.ReleaseStatus
		errMsg   string
		wantCode string
		wantMsg  string
	}{
		{name: "deploying", app: "hello", status: paas.ReleaseDeploying},
		{name: "failed", app: "hello", status: paas.ReleaseFailed, errMsg: "health check failed"},
		{name: "unknown status", app: "hello", status: "done", wantCode: paas.EINVALID},
		{name: "missing release", app: "hello", version: 99, status: paas.ReleaseFailed, wantCode: paas.ENOTFOUND,
			wantMsg: `release v99 of app "hello" not found; list its releases with: paas releases -a hello`},
		{name: "missing app", app: "nope", version: 1, status: paas.ReleaseFailed, wantCode: paas.ENOTFOUND,
			wantMsg: `app "nope" not found; list your apps with: paas apps`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version := tt.version
			if version == 0 {
				version = mustRelease(t, db, tt.app, 0).Version
			}
			err := db.SetReleaseStatus(t.Context(), tt.app, version, tt.status, tt.errMsg)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				if tt.wantMsg != "" {
					checkMessage(t, err, tt.wantMsg)
				}
				return
			}
			got, err := db.GetRelease(t.Context(), tt.app, version)
			checkCode(t, err, "")
			if diff := cmp.Diff([2]string{string(tt.status), tt.errMsg}, [2]string{string(got.Status), got.Error}); diff != "" {
				t.Errorf("status and error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarkReleaseCurrent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	for range 3 {
		mustRelease(t, db, "hello", 0)
	}
	checkCode(t, db.SetReleaseStatus(t.Context(), "hello", 3, paas.ReleaseFailed, "crashed"), "")
	// The cases run in order, as deploys and rollbacks would.
	tests := []struct {
		name        string
		app         string
		version     int
		wantCurrent int // the app's release afterwards
		wantCode    string
	}{
		{name: "first", app: "hello", version: 1, wantCurrent: 1},
		{name: "next", app: "hello", version: 2, wantCurrent: 2},
		{name: "rollback", app: "hello", version: 1, wantCurrent: 1},
		{name: "failed one after a retry", app: "hello", version: 3, wantCurrent: 3},
		{name: "missing release", app: "hello", version: 9, wantCurrent: 3, wantCode: paas.ENOTFOUND},
		{name: "missing app", app: "nope", version: 1, wantCurrent: 3, wantCode: paas.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCode(t, db.MarkReleaseCurrent(t.Context(), tt.app, tt.version), tt.wantCode)
			app, err := db.GetApp(t.Context(), "hello")
			checkCode(t, err, "")
			if app.Release != tt.wantCurrent {
				t.Errorf("app release = %d, want %d", app.Release, tt.wantCurrent)
			}
			if tt.wantCode != "" {
				return
			}
			got, err := db.GetRelease(t.Context(), tt.app, tt.version)
			checkCode(t, err, "")
			want := []any{paas.ReleaseSucceeded, "", true}
			if diff := cmp.Diff(want, []any{got.Status, got.Error, got.Current}); diff != "" {
				t.Errorf("status, error and current mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetRelease(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	build := mustFinishedBuild(t, db, "hello", paas.BuildSucceeded)
	v1 := mustRelease(t, db, "hello", build.ID)
	v2 := mustRelease(t, db, "hello", 0)
	checkCode(t, db.MarkReleaseCurrent(t.Context(), "hello", 1), "")
	current := *v1
	current.Status, current.Current = paas.ReleaseSucceeded, true
	tests := []struct {
		name     string
		app      string
		version  int
		want     *paas.Release
		wantCode string
	}{
		{name: "current", app: "hello", version: 1, want: &current},
		{name: "not current", app: "hello", version: 2, want: v2},
		{name: "missing release", app: "hello", version: 3, wantCode: paas.ENOTFOUND},
		{name: "missing app", app: "nope", version: 1, wantCode: paas.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.GetRelease(t.Context(), tt.app, tt.version)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GetRelease mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListReleases(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	mustApp(t, db, "empty")
	for range 3 {
		mustRelease(t, db, "hello", 0)
	}
	checkCode(t, db.MarkReleaseCurrent(t.Context(), "hello", 2), "")
	tests := []struct {
		name     string
		app      string
		limit    int
		want     []string // version and whether it is current
		wantCode string
	}{
		{name: "all, newest first", app: "hello", want: []string{"v3", "v2 current", "v1"}},
		{name: "limited", app: "hello", limit: 1, want: []string{"v3"}},
		{name: "no releases", app: "empty", want: []string{}},
		{name: "missing app", app: "nope", wantCode: paas.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListReleases(t.Context(), tt.app, tt.limit)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, releaseSummaries(got)); diff != "" {
				t.Errorf("ListReleases mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// releaseSummaries describes each of releases as "v<version>", followed by
// " current" for the current one.
func releaseSummaries(releases []*paas.Release) []string {
	list := []string{}
	for _, r := range releases {
		s := fmt.Sprintf("v%d", r.Version)
		if r.Current {
			s += " current"
		}
		list = append(list, s)
	}
	return list
}
