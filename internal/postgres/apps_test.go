package postgres_test

import (
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCreateApp(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "taken")
	tests := []struct {
		name     string
		app      string
		owner    string
		want     *paas.App
		wantCode string
		wantMsg  string
	}{
		{name: "new", app: "hello", owner: "alice", want: &paas.App{Name: "hello", Owner: "alice"}},
		{name: "duplicate", app: "taken", owner: "bob", wantCode: paas.ECONFLICT, wantMsg: `app "taken" already exists; choose another name`},
		{name: "invalid name", app: "Hello", owner: "alice", wantCode: paas.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.CreateApp(t.Context(), tt.app, tt.owner)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				if tt.wantMsg != "" {
					checkMessage(t, err, tt.wantMsg)
				}
				return
			}
			if got.ID == 0 {
				t.Error("ID = 0, want the database's id")
			}
			checkRecent(t, "CreatedAt", got.CreatedAt)
			if diff := cmp.Diff(tt.want, got, ignoreTimes, cmpopts.IgnoreFields(paas.App{}, "ID")); diff != "" {
				t.Errorf("CreateApp mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGetApp(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	hello := mustApp(t, db, "hello")
	tests := []struct {
		name     string
		app      string
		want     *paas.App
		wantCode string
		wantMsg  string
	}{
		{name: "exists", app: "hello", want: hello},
		{name: "missing", app: "nope", wantCode: paas.ENOTFOUND, wantMsg: `app "nope" not found; list your apps with: paas apps`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.GetApp(t.Context(), tt.app)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				checkMessage(t, err, tt.wantMsg)
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GetApp mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListApps(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	got, err := db.ListApps(t.Context())
	checkCode(t, err, "")
	if diff := cmp.Diff([]*paas.App{}, got); diff != "" {
		t.Errorf("ListApps of no apps mismatch (-want +got):\n%s", diff)
	}

	ab, a0, aDashB := mustApp(t, db, "ab"), mustApp(t, db, "a0"), mustApp(t, db, "a-b")
	got, err = db.ListApps(t.Context())
	checkCode(t, err, "")
	// By bytes, as Go sorts: '-' < '0' < 'b'.
	if diff := cmp.Diff([]*paas.App{aDashB, a0, ab}, got); diff != "" {
		t.Errorf("ListApps mismatch (-want +got):\n%s", diff)
	}
}

func TestDeleteApp(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := t.Context()
	mustApp(t, db, "doomed")
	build := mustFinishedBuild(t, db, "doomed", paas.BuildSucceeded)
	if err := db.AppendBuildLog(ctx, build.ID, []byte("step 1\n")); err != nil {
		t.Fatal(err)
	}
	release := mustRelease(t, db, "doomed", build.ID)
	if err := db.MarkReleaseCurrent(ctx, "doomed", release.Version); err != nil {
		t.Fatal(err)
	}
	mustApp(t, db, "kept")
	kept := mustBuild(t, db, "kept")

	checkCode(t, db.DeleteApp(ctx, "doomed"), "")

	t.Run("app is gone", func(t *testing.T) {
		_, err := db.GetApp(ctx, "doomed")
		checkCode(t, err, paas.ENOTFOUND)
	})
	t.Run("build and log are gone", func(t *testing.T) {
		checkCode(t, db.AppendBuildLog(ctx, build.ID, []byte("more")), paas.ENOTFOUND)
	})
	t.Run("a new app of the name starts empty", func(t *testing.T) {
		mustApp(t, db, "doomed")
		builds, err := db.ListBuilds(ctx, "doomed", 0)
		checkCode(t, err, "")
		releases, err := db.ListReleases(ctx, "doomed", 0)
		checkCode(t, err, "")
		if len(builds) != 0 || len(releases) != 0 {
			t.Errorf("new app has %d builds and %d releases, want none", len(builds), len(releases))
		}
		if r := mustRelease(t, db, "doomed", 0); r.Version != 1 {
			t.Errorf("first release of the new app is v%d, want v1", r.Version)
		}
	})
	t.Run("other apps are kept", func(t *testing.T) {
		got, err := db.GetBuild(ctx, "kept", kept.ID)
		checkCode(t, err, "")
		if diff := cmp.Diff(kept, got); diff != "" {
			t.Errorf("build of other app mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("missing app", func(t *testing.T) {
		err := db.DeleteApp(ctx, "nope")
		checkCode(t, err, paas.ENOTFOUND)
		checkMessage(t, err, `app "nope" not found; list your apps with: paas apps`)
	})
}
