package postgres_test

import (
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestFailInterrupted(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := t.Context()
	for _, app := range []string{"pending", "building", "done"} {
		mustApp(t, db, app)
	}
	pending := mustBuild(t, db, "pending")
	building := mustBuild(t, db, "building")
	checkCode(t, db.StartBuild(ctx, building.ID), "")
	done := mustFinishedBuild(t, db, "done", paas.BuildSucceeded)
	for _, status := range []paas.ReleaseStatus{paas.ReleasePending, paas.ReleaseDeploying, paas.ReleaseSucceeded, paas.ReleaseFailed} {
		r := mustRelease(t, db, "done", done.ID)
		checkCode(t, db.SetReleaseStatus(ctx, "done", r.Version, status, ""), "")
	}
	checkCode(t, db.MarkReleaseCurrent(ctx, "done", 3), "")

	const reason = "interrupted by a restart of paasd; push again"
	builds, releases, err := db.FailInterrupted(ctx, reason)
	checkCode(t, err, "")
	if diff := cmp.Diff([2]int{2, 2}, [2]int{builds, releases}); diff != "" {
		t.Errorf("builds and releases failed mismatch (-want +got):\n%s", diff)
	}

	t.Run("builds", func(t *testing.T) {
		tests := []struct {
			name      string
			build     *paas.Build
			want      paas.BuildStatus
			wantError string
		}{
			{name: "pending", build: pending, want: paas.BuildFailed, wantError: reason},
			{name: "building", build: building, want: paas.BuildFailed, wantError: reason},
			{name: "finished", build: done, want: paas.BuildSucceeded},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.GetBuild(ctx, tt.build.App, tt.build.ID)
				checkCode(t, err, "")
				if diff := cmp.Diff([2]string{string(tt.want), tt.wantError}, [2]string{string(got.Status), got.Error}); diff != "" {
					t.Errorf("status and error mismatch (-want +got):\n%s", diff)
				}
				if got.FinishedAt == nil {
					t.Error("FinishedAt = nil, want the time the build failed")
				}
			})
		}
	})
	t.Run("releases", func(t *testing.T) {
		got, err := db.ListReleases(ctx, "done", 0)
		checkCode(t, err, "")
		var summary []string
		for _, r := range got {
			summary = append(summary, string(r.Status)+": "+r.Error)
		}
		want := []string{"failed: ", "succeeded: ", "failed: " + reason, "failed: " + reason}
		if diff := cmp.Diff(want, summary); diff != "" {
			t.Errorf("releases v4…v1 mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("nothing is left to fail", func(t *testing.T) {
		builds, releases, err := db.FailInterrupted(ctx, reason)
		checkCode(t, err, "")
		if diff := cmp.Diff([2]int{0, 0}, [2]int{builds, releases}); diff != "" {
			t.Errorf("builds and releases failed mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("apps may build again", func(t *testing.T) {
		for _, app := range []string{"pending", "building"} {
			if _, err := db.CreateBuild(ctx, app, "def456", "refs/heads/main", "alice"); err != nil {
				t.Errorf("CreateBuild(%q) after FailInterrupted: %v", app, err)
			}
		}
	})
}
