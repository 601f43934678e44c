package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"
)

// TestOpenAPIMatchesRoutes fails when a route under /v1 has no entry in the
// OpenAPI document, or the document lists a route that is not served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := New(Options{GitURL: func(string) string { return "" }, WebURL: func(string) string { return "" }},
		Handlers{Git: http.NotFoundHandler(), GitHooks: http.NotFoundHandler()}, slog.New(slog.DiscardHandler)).(*gin.Engine)
	var served, documented []string
	for _, r := range e.Routes() {
		if strings.HasPrefix(r.Path, "/v1/") {
			served = append(served, r.Method+" "+r.Path)
		}
	}
	for _, op := range operations {
		documented = append(documented, op.Method+" "+op.Path)
	}
	sort.Strings(served)
	sort.Strings(documented)
	if diff := cmp.Diff(documented, served); diff != "" {
		t.Errorf("routes and the OpenAPI operations disagree (-documented +served):\n%s", diff)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	h := serveOpenAPI()
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	h(c)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if doc.OpenAPI != "3.0.3" || doc.Paths["/v1/apps/{app}"]["get"] == nil {
		t.Fatalf("document lacks GET /v1/apps/{app}: %s", w.Body.String()[:200])
	}
	release := doc.Paths["/v1/apps/{app}/releases/{version}"]["get"]["responses"].(map[string]any)["200"]
	b, _ := json.Marshal(release)
	if !strings.Contains(string(b), `"config_keys"`) || strings.Contains(string(b), `"Config"`) {
		t.Errorf("release schema should list config_keys and never config values: %s", b)
	}
}
