package metricsample

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// exposition writes the router's metrics for app "web" after n requests,
// errs of them 5xx, half answered under 5 ms and the rest under 100 ms.
func exposition(n, errs int) string {
	fast := n / 2
	return fmt.Sprintf(`# TYPE paas_router_requests_total counter
paas_router_requests_total{app="web",release="1",code_class="2xx"} %d
paas_router_requests_total{app="web",release="1",code_class="5xx"} %d
paas_router_requests_total{app="",release="",code_class="4xx"} 7
# TYPE paas_router_request_duration_seconds histogram
paas_router_request_duration_seconds_bucket{app="web",release="1",le="0.005"} %d
paas_router_request_duration_seconds_bucket{app="web",release="1",le="0.1"} %d
paas_router_request_duration_seconds_bucket{app="web",release="1",le="+Inf"} %d
paas_router_request_duration_seconds_sum{app="web",release="1"} 1
paas_router_request_duration_seconds_count{app="web",release="1"} %d
# TYPE paas_router_in_flight gauge
paas_router_in_flight{app="web"} 3
`, n-errs, errs, fast, n, n, n)
}

func TestSamplerTurnsCountersIntoRates(t *testing.T) {
	bodies := []string{exposition(100, 0), exposition(300, 20)}
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, bodies[min(calls, len(bodies)-1)])
		calls++
	}))
	defer srv.Close()
	s := New(Options{URL: srv.URL, Instances: func(context.Context, string) (int, error) { return 2, nil }},
		slog.New(slog.DiscardHandler))
	now := time.Unix(1000, 0)
	s.now = func() time.Time { return now }
	for range 2 {
		if err := s.Scrape(context.Background()); err != nil {
			t.Fatal(err)
		}
		now = now.Add(10 * time.Second)
	}
	pts := s.Points("web")
	if len(pts) != 1 {
		t.Fatalf("points = %d, want 1 (the first scrape only sets the baseline)", len(pts))
	}
	p := pts[0]
	if p.RPS != 20 || p.ErrorRate != 2 || p.Instances != 2 || p.InFlight != 3 {
		t.Errorf("point = %+v; want 20 rps, 2 errors/s, 2 instances, 3 in flight", p)
	}
	// 200 requests: 100 under 5 ms, 100 between 5 and 100 ms.
	if p.P50 != 5*time.Millisecond {
		t.Errorf("p50 = %v, want 5ms", p.P50)
	}
	if want := 90500 * time.Microsecond; p.P95 < want-time.Microsecond || p.P95 > want+time.Microsecond {
		t.Errorf("p95 = %v, want about %v", p.P95, want)
	}
	if got := s.Apps(); len(got) != 1 || got[0] != "web" {
		t.Errorf("apps = %v, want [web]", got)
	}
}

func TestSamplerSurvivesRouterRestart(t *testing.T) {
	s := New(Options{}, slog.New(slog.DiscardHandler))
	at := time.Unix(0, 0)
	for _, n := range []int{500, 600, 40} {
		totals, err := parse(stringsReader(exposition(n, 0)))
		if err != nil {
			t.Fatal(err)
		}
		s.record(at, totals, nil)
		at = at.Add(10 * time.Second)
	}
	pts := s.Points("web")
	if len(pts) != 2 || pts[0].RPS != 10 || pts[1].RPS != 4 {
		t.Fatalf("points = %+v; want 10 rps, then 4 rps counted from the restart", pts)
	}
}

func TestSamplerKeepsABoundedRing(t *testing.T) {
	s := New(Options{Keep: 3}, slog.New(slog.DiscardHandler))
	at := time.Unix(0, 0)
	for i := range 10 {
		totals, _ := parse(stringsReader(exposition(i*10, 0)))
		s.record(at, totals, nil)
		at = at.Add(time.Second)
	}
	if n := len(s.Points("web")); n != 3 {
		t.Fatalf("kept %d points, want 3", n)
	}
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
