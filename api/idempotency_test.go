package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/pgtest"
	"github.com/gitpaas/paas/internal/postgres"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// allowAll takes any token for a platform admin's, and allows everything.
type allowAll struct{}

func (allowAll) Authenticate(context.Context, string) (*paas.Identity, error) {
	return &paas.Identity{User: paas.User{Name: "ci", Admin: true}, Token: paas.Token{Scope: paas.ScopeAdmin}}, nil
}

func (allowAll) Authorize(context.Context, *paas.Identity, string, paas.Permission) error { return nil }

// countingLifecycle creates apps in memory and counts the creates.
type countingLifecycle struct{ creates atomic.Int32 }

func (l *countingLifecycle) Create(_ context.Context, name, owner string) (*paas.App, error) {
	n := l.creates.Add(1)
	return &paas.App{ID: int64(n), Name: name, Owner: owner}, nil
}

func (l *countingLifecycle) Destroy(context.Context, string) error { return nil }

func TestIdempotencyKey(t *testing.T) {
	db, err := postgres.Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	life := &countingLifecycle{}
	h := New(Options{GitURL: func(string) string { return "" }, WebURL: func(string) string { return "" }},
		Handlers{Auth: allowAll{}, Authz: allowAll{}, Lifecycle: life, Idempotency: db, Git: http.NotFoundHandler(), GitHooks: http.NotFoundHandler()},
		slog.New(slog.DiscardHandler))
	post := func(key, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/apps", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer x")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	first := post("k1", `{"name":"one"}`)
	again := post("k1", `{"name":"one"}`)
	if first.Code != 201 || again.Code != 201 || again.Body.String() != first.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry with the same key: %d %q then %d %q %v", first.Code, first.Body, again.Code, again.Body, again.Header())
	}
	if n := life.creates.Load(); n != 1 {
		t.Fatalf("the app was created %d times; want once", n)
	}
	if w := post("k1", `{"name":"two"}`); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "different request") {
		t.Errorf("same key, other body: %d %s", w.Code, w.Body)
	}
	if w := post("bad key\x01", `{"name":"two"}`); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("malformed key: %d %s", w.Code, w.Body)
	}
	post("", `{"name":"three"}`)
	post("", `{"name":"three"}`)
	if n := life.creates.Load(); n != 3 {
		t.Errorf("without a key every request runs: %d creates; want 3", n)
	}
}
