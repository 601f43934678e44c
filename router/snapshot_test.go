package router

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var ignoreSavedAt = cmpopts.IgnoreFields(Snapshot{}, "SavedAt")

func TestStateFileFollowsEveryChange(t *testing.T) {
	a, b := newBackend(t, "a", nil), newBackend(t, "b", nil)
	dir := t.TempDir()
	path := filepath.Join(dir, "router-table.json")
	r := newTestRouter(t, Options{StateFile: path})

	steps := []struct {
		name   string
		change func()
		want   Snapshot
	}{
		{
			name:   "first update",
			change: func() { r.Update([]paas.Instance{b.instance("hello"), a.instance("hello")}) },
			want:   Snapshot{Version: 1, Instances: byAddr(a.instance("hello"), b.instance("hello"))},
		},
		{
			name:   "unusable instance left out, health path defaulted",
			change: func() { r.Update([]paas.Instance{{App: "Bad", Addr: "x"}, withHealthPath(a.instance("w"), "")}) },
			want:   Snapshot{Version: 1, Instances: []paas.Instance{withHealthPath(a.instance("w"), "/")}},
		},
		{
			name:   "maintenance",
			change: func() { r.SetMaintenance("w", true) },
			want:   Snapshot{Version: 1, Instances: []paas.Instance{withHealthPath(a.instance("w"), "/")}, Maintenance: []string{"w"}},
		},
		{
			name:   "empty table",
			change: func() { r.Update(nil) },
			want:   Snapshot{Version: 1, Instances: []paas.Instance{}, Maintenance: []string{"w"}},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.change()
			got, err := ReadSnapshot(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st.want, got, ignoreSavedAt); diff != "" {
				t.Errorf("state file (-want +got):\n%s", diff)
			}
			if got.SavedAt.IsZero() {
				t.Error("saved_at not set")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d files, want only the state file: a temporary file was left", len(entries))
			}
		})
	}
}

// byAddr returns insts in the order of a snapshot: by app, then address.
func byAddr(insts ...paas.Instance) []paas.Instance {
	slices.SortFunc(insts, func(x, y paas.Instance) int { return strings.Compare(x.App+" "+x.Addr, y.App+" "+y.Addr) })
	return insts
}

func TestRestoreServesFromSnapshot(t *testing.T) {
	b := newBackend(t, "b", nil)
	path := filepath.Join(t.TempDir(), "router-table.json")
	first := newTestRouter(t, Options{StateFile: path})
	first.Update([]paas.Instance{b.instance("hello"), b.instance("quiet")})
	first.SetMaintenance("quiet", true)
	first.Close()

	snap, err := ReadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	r := newTestRouter(t, Options{StateFile: path})
	r.Restore(snap)
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	if resp, body := front.get(t, "hello.localhost"); resp.StatusCode != 200 || body != "b" {
		t.Errorf("hello: %d %q, want 200 from the restored table", resp.StatusCode, body)
	}
	if resp, _ := front.get(t, "quiet.localhost"); resp.StatusCode != 503 {
		t.Errorf("quiet: %d, want 503: maintenance is restored too", resp.StatusCode)
	}
}

func TestReadSnapshotErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name     string
		path     string
		notExist bool
		wantIn   string
	}{
		{"missing", filepath.Join(dir, "none.json"), true, ""},
		{"corrupt", write("corrupt.json", `{"version":1,"instances":[`), false, "unexpected end"},
		{"other version", write("v2.json", `{"version":2,"instances":[]}`), false, "version 2"},
		{"no version", write("v0.json", `{"instances":[]}`), false, "version 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSnapshot(tc.path)
			if err == nil {
				t.Fatal("ReadSnapshot = nil error")
			}
			if errors.Is(err, fs.ErrNotExist) != tc.notExist {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v for %v", !tc.notExist, err)
			}
			if !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("error %q does not mention %q", err, tc.wantIn)
			}
		})
	}
}

func TestUnwritableStateFileDoesNotStopRouting(t *testing.T) {
	b := newBackend(t, "b", nil)
	var logs logBuffer
	r := newTestRouterLogging(t, Options{StateFile: filepath.Join(t.TempDir(), "missing-dir", "t.json")}, &logs)
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	if resp, _ := newFrontend(t, r).get(t, "hello.localhost"); resp.StatusCode != 200 {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	if !strings.Contains(logs.String(), "save routing table") {
		t.Errorf("the failed save was not logged:\n%s", logs.String())
	}
}
