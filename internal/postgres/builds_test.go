package postgres_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCreateBuild(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	tests := []struct {
		name string
		// setup prepares the case's app and returns the build that should
		// block the new one, if any.
		setup    func(t *testing.T, app string) *paas.Build
		wantCode string
	}{
		{name: "first build", setup: func(*testing.T, string) *paas.Build { return nil }},
		{name: "while one is pending", wantCode: paas.ECONFLICT, setup: func(t *testing.T, app string) *paas.Build {
			return mustBuild(t, db, app)
		}},
		{name: "while one is building", wantCode: paas.ECONFLICT, setup: func(t *testing.T, app string) *paas.Build {
			b := mustBuild(t, db, app)
			checkCode(t, db.StartBuild(t.Context(), b.ID), "")
			return b
		}},
		{name: "after a success", setup: func(t *testing.T, app string) *paas.Build {
			mustFinishedBuild(t, db, app, paas.BuildSucceeded)
			return nil
		}},
		{name: "after a failure", setup: func(t *testing.T, app string) *paas.Build {
			mustFinishedBuild(t, db, app, paas.BuildFailed)
			return nil
		}},
		{name: "while another app builds", setup: func(t *testing.T, app string) *paas.Build {
			mustBuild(t, db, mustApp(t, db, app+"-other").Name)
			return nil
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := mustApp(t, db, fmt.Sprintf("app%d", i)).Name
			running := tt.setup(t, app)
			got, err := db.CreateBuild(t.Context(), app, "abc123", "refs/heads/main", "alice")
			checkCode(t, err, tt.wantCode)
			if err != nil {
				checkMessage(t, err, fmt.Sprintf("a build of app %q is already running (build %d); wait for it to finish", app, running.ID))
				return
			}
			checkRecent(t, "CreatedAt", got.CreatedAt)
			want := &paas.Build{ID: got.ID, App: app, Commit: "abc123", Ref: "refs/heads/main", Status: paas.BuildPending, CreatedBy: "alice"}
			if diff := cmp.Diff(want, got, ignoreTimes); diff != "" {
				t.Errorf("CreateBuild mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("missing app", func(t *testing.T) {
		_, err := db.CreateBuild(t.Context(), "nope", "abc123", "refs/heads/main", "alice")
		checkCode(t, err, paas.ENOTFOUND)
		checkMessage(t, err, `app "nope" not found; list your apps with: paas apps`)
	})
}

func TestCreateBuildConcurrently(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	const pushes = 6
	codes := make([]string, pushes)
	var wg sync.WaitGroup
	for i := range pushes {
		wg.Go(func() {
			_, err := db.CreateBuild(t.Context(), "hello", fmt.Sprint(i), "refs/heads/main", "alice")
			codes[i] = paas.ErrorCode(err)
		})
	}
	wg.Wait()
	want := []string{paas.ECONFLICT, paas.ECONFLICT, paas.ECONFLICT, paas.ECONFLICT, paas.ECONFLICT, ""}
	if diff := cmp.Diff(want, codes, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("error codes of concurrent builds mismatch (-want +got):\n%s", diff)
	}
}

func TestStartBuild(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	mustApp(t, db, "other")
	pending := mustBuild(t, db, "hello")
	building := mustBuild(t, db, "other")
	checkCode(t, db.StartBuild(t.Context(), building.ID), "")
	tests := []struct {
		name     string
		id       int64
		wantCode string
		wantMsg  string
	}{
		{name: "pending", id: pending.ID},
		{name: "building", id: building.ID, wantCode: paas.ECONFLICT,
			wantMsg: fmt.Sprintf("build %d is building, not pending; only a pending build can start", building.ID)},
		{name: "missing", id: 999, wantCode: paas.ENOTFOUND,
			wantMsg: "build 999 not found; it may have been deleted with its app"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.StartBuild(t.Context(), tt.id)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				checkMessage(t, err, tt.wantMsg)
				return
			}
			got, err := db.GetBuild(t.Context(), "hello", tt.id)
			checkCode(t, err, "")
			if got.Status != paas.BuildBuilding {
				t.Errorf("status = %s, want %s", got.Status, paas.BuildBuilding)
			}
		})
	}
}

func TestFinishBuild(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	tests := []struct {
		name     string
		start    bool // start the build before finishing it
		status   paas.BuildStatus
		image    string
		errMsg   string
		want     *paas.Build
		wantCode string
	}{
		{name: "success", start: true, status: paas.BuildSucceeded, image: "img/app0:1",
			want: &paas.Build{Status: paas.BuildSucceeded, Image: "img/app0:1"}},
		{name: "failure", start: true, status: paas.BuildFailed, errMsg: "no Dockerfile",
			want: &paas.Build{Status: paas.BuildFailed, Error: "no Dockerfile"}},
		{name: "failure before start", status: paas.BuildFailed, errMsg: "checkout failed",
			want: &paas.Build{Status: paas.BuildFailed, Error: "checkout failed"}},
		{name: "status not final", start: true, status: paas.BuildBuilding, wantCode: paas.EINVALID},
		{name: "success without an image", start: true, status: paas.BuildSucceeded, wantCode: paas.EINVALID},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := mustApp(t, db, fmt.Sprintf("app%d", i)).Name
			b := mustBuild(t, db, app)
			if tt.start {
				checkCode(t, db.StartBuild(t.Context(), b.ID), "")
			}
			err := db.FinishBuild(t.Context(), b.ID, tt.status, tt.image, tt.errMsg)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			got, err := db.GetBuild(t.Context(), app, b.ID)
			checkCode(t, err, "")
			if got.FinishedAt == nil {
				t.Fatal("FinishedAt = nil, want the time the build finished")
			}
			checkRecent(t, "FinishedAt", *got.FinishedAt)
			want := *b
			want.Status, want.Image, want.Error = tt.want.Status, tt.want.Image, tt.want.Error
			if diff := cmp.Diff(&want, got, ignoreTimes); diff != "" {
				t.Errorf("finished build mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("finished already", func(t *testing.T) {
		b := mustFinishedBuild(t, db, mustApp(t, db, "again").Name, paas.BuildFailed)
		err := db.FinishBuild(t.Context(), b.ID, paas.BuildSucceeded, "img", "")
		checkCode(t, err, paas.ECONFLICT)
		checkMessage(t, err, fmt.Sprintf("build %d has finished already (failed)", b.ID))
	})
	t.Run("missing", func(t *testing.T) {
		checkCode(t, db.FinishBuild(t.Context(), 999, paas.BuildSucceeded, "img", ""), paas.ENOTFOUND)
	})
}

func TestSetBuildRelease(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	b := mustFinishedBuild(t, db, "hello", paas.BuildSucceeded)
	tests := []struct {
		name     string
		id       int64
		wantCode string
	}{
		{name: "exists", id: b.ID},
		{name: "missing", id: 999, wantCode: paas.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.SetBuildRelease(t.Context(), tt.id, 3)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			got, err := db.GetBuild(t.Context(), "hello", tt.id)
			checkCode(t, err, "")
			if got.Release != 3 {
				t.Errorf("Release = %d, want 3", got.Release)
			}
		})
	}
}

func TestBuildLog(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	mustApp(t, db, "other")
	logged := mustFinishedBuild(t, db, "hello", paas.BuildSucceeded)
	silent := mustBuild(t, db, "hello")
	// A few MB in chunks of the size a builder streams, with an empty one.
	var want bytes.Buffer
	for i := range 100 {
		chunk := bytes.Repeat([]byte{byte('a' + i%26)}, 32<<10)
		want.Write(chunk)
		checkCode(t, db.AppendBuildLog(t.Context(), logged.ID, chunk), "")
	}
	checkCode(t, db.AppendBuildLog(t.Context(), logged.ID, nil), "")

	tests := []struct {
		name     string
		app      string
		id       int64
		want     []byte
		wantCode string
		wantMsg  string
	}{
		{name: "log in order", app: "hello", id: logged.ID, want: want.Bytes()},
		{name: "no log yet", app: "hello", id: silent.ID, want: []byte{}},
		{name: "build of another app", app: "other", id: logged.ID, wantCode: paas.ENOTFOUND,
			wantMsg: fmt.Sprintf(`build %d of app "other" not found; list its builds with: paas builds -a other`, logged.ID)},
		{name: "missing app", app: "nope", id: logged.ID, wantCode: paas.ENOTFOUND,
			wantMsg: `app "nope" not found; list your apps with: paas apps`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.BuildLog(t.Context(), tt.app, tt.id)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				checkMessage(t, err, tt.wantMsg)
				return
			}
			if !bytes.Equal(tt.want, got) {
				t.Errorf("BuildLog returned %d bytes, want %d bytes", len(got), len(tt.want))
			}
		})
	}
	t.Run("append to missing build", func(t *testing.T) {
		checkCode(t, db.AppendBuildLog(t.Context(), 999, []byte("x")), paas.ENOTFOUND)
	})
}

func TestGetBuild(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	mustApp(t, db, "other")
	b := mustFinishedBuild(t, db, "hello", paas.BuildSucceeded)
	tests := []struct {
		name     string
		app      string
		id       int64
		wantCode string
		wantMsg  string
	}{
		{name: "exists", app: "hello", id: b.ID},
		{name: "build of another app", app: "other", id: b.ID, wantCode: paas.ENOTFOUND,
			wantMsg: fmt.Sprintf(`build %d of app "other" not found; list its builds with: paas builds -a other`, b.ID)},
		{name: "missing build", app: "hello", id: 999, wantCode: paas.ENOTFOUND,
			wantMsg: `build 999 of app "hello" not found; list its builds with: paas builds -a hello`},
		{name: "missing app", app: "nope", id: b.ID, wantCode: paas.ENOTFOUND,
			wantMsg: `app "nope" not found; list your apps with: paas apps`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.GetBuild(t.Context(), tt.app, tt.id)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				checkMessage(t, err, tt.wantMsg)
				return
			}
			want := &paas.Build{ID: b.ID, App: "hello", Commit: b.Commit, Ref: b.Ref, Status: paas.BuildSucceeded,
				Image: "img/hello:1", CreatedBy: "admin", CreatedAt: b.CreatedAt}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(paas.Build{}, "FinishedAt")); diff != "" {
				t.Errorf("GetBuild mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListBuilds(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	mustApp(t, db, "hello")
	mustApp(t, db, "empty")
	var builds []*paas.Build
	for range 3 {
		builds = append(builds, mustFinishedBuild(t, db, "hello", paas.BuildSucceeded))
	}
	tests := []struct {
		name     string
		app      string
		limit    int
		want     []int64
		wantCode string
	}{
		{name: "all, newest first", app: "hello", want: []int64{builds[2].ID, builds[1].ID, builds[0].ID}},
		{name: "limited", app: "hello", limit: 2, want: []int64{builds[2].ID, builds[1].ID}},
		{name: "no builds", app: "empty", want: []int64{}},
		{name: "missing app", app: "nope", wantCode: paas.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListBuilds(t.Context(), tt.app, tt.limit)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, buildIDs(got)); diff != "" {
				t.Errorf("ListBuilds mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// buildIDs returns the ids of builds.
func buildIDs(builds []*paas.Build) []int64 {
	ids := []int64{}
	for _, b := range builds {
		ids = append(ids, b.ID)
	}
	return ids
}
