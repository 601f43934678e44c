package router

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestMaintenanceMode(t *testing.T) {
	hello, other := newBackend(t, "hello", nil), newBackend(t, "other", nil)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{hello.instance("hello"), other.instance("other")})
	waitHealthy(t, r, hello, other)
	front := newFrontend(t, r)

	r.SetMaintenance("hello", true)
	r.SetMaintenance("gone", true) // an app with no instance at all
	if diff := cmp.Diff([]string{"gone", "hello"}, r.Maintenance()); diff != "" {
		t.Errorf("Maintenance() (-want +got):\n%s", diff)
	}

	tests := []struct {
		name       string
		host       string
		accept     string
		wantStatus int
		wantInBody string
	}{
		{"html page", "hello.localhost", "", 503, "app hello is down for maintenance"},
		{"json error", "hello.localhost", "application/json", 503, `"code":"maintenance"`},
		{"app without instances", "gone.localhost", "", 503, "app gone is down for maintenance"},
		{"other app serves", "other.localhost", "", 200, "other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := front.do(t, http.MethodGet, tc.host, "/", header("Accept", tc.accept), nil)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", resp.StatusCode, tc.wantStatus, body)
			}
			if !strings.Contains(body, tc.wantInBody) {
				t.Errorf("body lacks %q:\n%s", tc.wantInBody, body)
			}
			if tc.wantStatus == 503 && resp.Header.Get("Retry-After") != maintenanceRetryAfter {
				t.Errorf("Retry-After = %q, want %q", resp.Header.Get("Retry-After"), maintenanceRetryAfter)
			}
		})
	}

	t.Run("health checks go on", func(t *testing.T) {
		hits := hello.healthHits.Load()
		waitFor(t, "another check of hello", func() bool { return hello.healthHits.Load() > hits+2 })
	})
	t.Run("back from maintenance", func(t *testing.T) {
		r.SetMaintenance("hello", false)
		r.SetMaintenance("hello", false) // twice is fine
		if resp, body := front.get(t, "hello.localhost"); resp.StatusCode != 200 || body != "hello" {
			t.Errorf("after maintenance: %d %q, want 200", resp.StatusCode, body)
		}
		if resp, _ := front.get(t, "gone.localhost"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("gone is still in maintenance, got %d", resp.StatusCode)
		}
	})
}
