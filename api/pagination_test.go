package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/pgtest"
	"github.com/gitpaas/paas/internal/postgres"
)

func TestReleasesArePaginated(t *testing.T) {
	db, err := postgres.Open(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateApp(t.Context(), "hello", "ci"); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := db.CreateRelease(t.Context(), &paas.Release{App: "hello", Image: "img:1", CreatedBy: "ci"}); err != nil {
			t.Fatal(err)
		}
	}
	h := New(Options{GitURL: func(string) string { return "" }, WebURL: func(string) string { return "" }},
		Handlers{Auth: allowAll{}, Authz: allowAll{}, Apps: db, Releases: db, Git: http.NotFoundHandler(), GitHooks: http.NotFoundHandler()},
		slog.New(slog.DiscardHandler))
	var versions []int
	url := "/v1/apps/hello/releases?limit=2"
	for pages := 0; url != "" && pages < 10; pages++ {
		req := httptest.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer x")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var rs []paas.Release
		if err := json.Unmarshal(w.Body.Bytes(), &rs); err != nil || w.Code != 200 {
			t.Fatalf("GET %s: %d %s", url, w.Code, w.Body)
		}
		for _, r := range rs {
			versions = append(versions, r.Version)
		}
		url = ""
		if next := w.Header().Get("Next-Cursor"); next != "" {
			url = "/v1/apps/hello/releases?limit=2&before=" + next
		}
	}
	if len(versions) != 5 || versions[0] != 5 || versions[4] != 1 {
		t.Errorf("paged versions = %v; want 5..1", versions)
	}
	for _, bad := range []string{"?limit=0", "?limit=x", "?before=-1"} {
		req := httptest.NewRequest(http.MethodGet, "/v1/apps/hello/releases"+bad, nil)
		req.Header.Set("Authorization", "Bearer x")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d; want 422", bad, w.Code)
		}
	}
}
