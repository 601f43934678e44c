package postgres_test

import (
	"os"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/pgtest"
	"github.com/gitpaas/paas/internal/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// ignoreTimes leaves out of comparisons the times that the database sets;
// checkRecent checks them instead.
var ignoreTimes = cmp.Options{
	cmpopts.IgnoreFields(paas.App{}, "CreatedAt"),
	cmpopts.IgnoreFields(paas.Build{}, "CreatedAt", "FinishedAt"),
	cmpopts.IgnoreFields(paas.Release{}, "CreatedAt"),
	cmpopts.IgnoreFields(paas.User{}, "CreatedAt"),
	cmpopts.EquateEmpty(),
}

// newDB opens a store on a new, empty database.
func newDB(t *testing.T) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), pgtest.DSN(t))
	if err == nil {
		db.SetCipher(testCipher(t))
	}
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// checkCode fails t unless err has the paas error code want, "" meaning no
// error.
func checkCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := paas.ErrorCode(err); got != want {
		t.Fatalf("error = %v (code %q), want code %q", err, got, want)
	}
}

// checkMessage fails t unless err is a paas error with the message want.
func checkMessage(t *testing.T, err error, want string) {
	t.Helper()
	if diff := cmp.Diff(want, paas.ErrorMessage(err)); diff != "" {
		t.Errorf("error message mismatch (-want +got):\n%s", diff)
	}
}

// checkRecent fails t unless tm is a UTC time of the last minute.
func checkRecent(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.Location() != time.UTC || time.Since(tm).Abs() > time.Minute {
		t.Errorf("%s = %v, want a UTC time of the last minute", what, tm)
	}
}

// mustApp creates an app owned by admin.
func mustApp(t *testing.T, db *postgres.DB, name string) *paas.App {
	t.Helper()
	a, err := db.CreateApp(t.Context(), name, "admin")
	if err != nil {
		t.Fatalf("CreateApp(%q): %v", name, err)
	}
	return a
}

// mustBuild creates a pending build of app.
func mustBuild(t *testing.T, db *postgres.DB, app string) *paas.Build {
	t.Helper()
	b, err := db.CreateBuild(t.Context(), app, "0123abc", "refs/heads/main", "admin")
	if err != nil {
		t.Fatalf("CreateBuild(%q): %v", app, err)
	}
	return b
}

// mustFinishedBuild creates a build of app that finished with status.
func mustFinishedBuild(t *testing.T, db *postgres.DB, app string, status paas.BuildStatus) *paas.Build {
	t.Helper()
	b := mustBuild(t, db, app)
	if err := db.FinishBuild(t.Context(), b.ID, status, "img/"+app+":1", ""); err != nil {
		t.Fatalf("FinishBuild(%d): %v", b.ID, err)
	}
	return b
}

// mustRelease creates a pending release of app made from build buildID.
func mustRelease(t *testing.T, db *postgres.DB, app string, buildID int64) *paas.Release {
	t.Helper()
	r, err := db.CreateRelease(t.Context(), &paas.Release{App: app, Image: "img/" + app + ":1", BuildID: buildID, Description: "deploy", CreatedBy: "admin"})
	if err != nil {
		t.Fatalf("CreateRelease(%q): %v", app, err)
	}
	return r
}
