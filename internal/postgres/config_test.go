package postgres_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/secrets"
	"github.com/google/go-cmp/cmp"
)

func testCipher(t *testing.T) *secrets.Box {
	t.Helper()
	box, err := secrets.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func ptr(s string) *string { return &s }

func TestConfig(t *testing.T) {
	db := newDB(t)
	mustApp(t, db, "hello")
	ctx := t.Context()
	got, err := db.UpdateConfig(ctx, "hello", map[string]*string{"A": ptr("1"), "SECRET": ptr("hunter2")})
	if err != nil {
		t.Fatal(err)
	}
	got, err = db.UpdateConfig(ctx, "hello", map[string]*string{"A": nil, "B": ptr("2")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"B": "2", "SECRET": "hunter2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UpdateConfig (-want +got):\n%s", diff)
	}
	if stored, _ := db.GetConfig(ctx, "hello"); !cmp.Equal(want, stored) {
		t.Errorf("GetConfig = %v; want %v", stored, want)
	}
	if _, err := db.UpdateConfig(ctx, "nope", nil); paas.ErrorCode(err) != paas.ENOTFOUND {
		t.Errorf("UpdateConfig of a missing app: %v; want not found", err)
	}
	if err := db.ReplaceConfig(ctx, "hello", map[string]string{"C": "3"}); err != nil {
		t.Fatal(err)
	}
	if stored, _ := db.GetConfig(ctx, "hello"); !cmp.Equal(map[string]string{"C": "3"}, stored) {
		t.Errorf("after ReplaceConfig: %v", stored)
	}
}

func TestReleaseKeepsSpecAndSealedConfig(t *testing.T) {
	db := newDB(t)
	mustApp(t, db, "hello")
	spec := paas.ReleaseSpec{
		Formation: []paas.Process{{Type: "web", Count: 2, Command: []string{"/bin/sh", "-c", "serve"}, CPU: 200, Memory: 256}},
		Env:       map[string]string{"LOG_LEVEL": "info"},
		Health:    paas.HealthCheck{Path: "/healthz", Interval: 2 * time.Second, Timeout: time.Second},
	}
	r, err := db.CreateRelease(t.Context(), &paas.Release{App: "hello", Image: "img:1", CreatedBy: "a",
		Reason: paas.ReasonConfig, Spec: spec, Config: map[string]string{"SECRET": "hunter2"}, AppYML: "processes: {}\n"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.GetRelease(t.Context(), "hello", r.Version)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(spec, got.Spec); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
	if got.Config["SECRET"] != "hunter2" || !cmp.Equal(got.ConfigKeys, []string{"SECRET"}) || got.Reason != paas.ReasonConfig || got.AppYML == "" {
		t.Errorf("release = %+v", got)
	}
	var raw []byte
	if err := db.RawForTest(t.Context(), `SELECT config FROM releases WHERE version = $1`, r.Version, &raw); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("hunter2")) || len(raw) == 0 {
		t.Errorf("config vars are stored in the clear: %q", raw)
	}
}

func TestEvents(t *testing.T) {
	db := newDB(t)
	mustApp(t, db, "hello")
	for _, m := range []string{"first", "second"} {
		if err := db.AddEvent(t.Context(), "hello", paas.Event{Kind: paas.EventDrift, Message: m}); err != nil {
			t.Fatal(err)
		}
	}
	db.AddEvent(t.Context(), "hello", paas.Event{Kind: "other", Message: "x"})
	got, err := db.ListEvents(t.Context(), "hello", paas.EventDrift, 1)
	if err != nil || len(got) != 1 || got[0].Message != "second" {
		t.Fatalf("ListEvents = %+v, %v; want the newest drift event", got, err)
	}
	if err := db.AddEvent(t.Context(), "nope", paas.Event{Kind: "x"}); paas.ErrorCode(err) != paas.ENOTFOUND {
		t.Errorf("AddEvent of a missing app: %v", err)
	}
}
