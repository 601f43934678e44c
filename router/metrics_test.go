package router

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// scrape reads r's metrics through MetricsHandler, as Prometheus would,
// and returns the samples whose names start with paas_router_, by name and
// labels as the text format writes them.
func scrape(t *testing.T, r *Router) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	r.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("metrics: status %d", rec.Code)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "paas_router_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples
}

// pick returns the samples of s named in keys, 0 for those absent.
func pick(s map[string]float64, keys ...string) map[string]float64 {
	got := map[string]float64{}
	for _, k := range keys {
		got[k] = s[k]
	}
	return got
}

func TestMetrics(t *testing.T) {
	up, down := newBackend(t, "up", nil), newBackend(t, "down", nil)
	blk := newBlocker()
	slow := newBackend(t, "slow", blk.ServeHTTP)
	t.Cleanup(blk.open)
	r := newTestRouter(t, Options{HealthInterval: time.Hour, RateLimit: 0.001, RateBurst: 5, MaxBodyBytes: 10})
	upInst, downInst := up.instance("hello"), down.instance("hello")
	downInst.Release = 2
	r.Update([]paas.Instance{upInst, downInst, slow.instance("slow")})
	waitHealthy(t, r, up, down, slow)
	front := newFrontend(t, r)

	held := front.start(t, front.newRequest(t, t.Context(), http.MethodGet, "slow.localhost", "/", nil))
	receive(t, "the held request", blk.entered)
	down.srv.Close()
	front.get(t, "hello.localhost")                                                                   // 200, from v1, after v2 refused
	front.get(t, "hello.localhost")                                                                   // 200, v1
	front.do(t, http.MethodPost, "hello.localhost", "/", nil, strings.NewReader("too large for ten")) // 413
	front.get(t, "hello.localhost")                                                                   // 200, v1
	front.get(t, "hello.localhost")                                                                   // 200, v1: the bucket of 5 is empty
	front.get(t, "hello.localhost")                                                                   // 429
	for i := range 20 {
		front.get(t, fmt.Sprintf("nope%d.localhost", i)) // 404, and no new series
	}

	got := scrape(t, r)
	want := map[string]float64{
		`paas_router_requests_total{app="hello",code_class="2xx",release="1"}`:           4,
		`paas_router_requests_total{app="hello",code_class="4xx",release=""}`:            2,
		`paas_router_requests_total{app="",code_class="4xx",release=""}`:                 20,
		`paas_router_request_duration_seconds_count{app="hello",release="1"}`:            4,
		`paas_router_request_duration_seconds_count{app="hello",release=""}`:             2,
		`paas_router_rejected_total{app="hello",reason="ratelimit"}`:                     1,
		`paas_router_rejected_total{app="hello",reason="body_too_large"}`:                1,
		`paas_router_rejected_total{app="hello",reason="bulkhead"}`:                      0,
		`paas_router_ejections_total{app="hello"}`:                                       1,
		`paas_router_in_flight{app="slow"}`:                                              1,
		`paas_router_in_flight{app="hello"}`:                                             0,
		`paas_router_requests_total{app="hello",code_class="5xx",release="2"}`:           0,
		`paas_router_request_duration_seconds_bucket{app="hello",release="1",le="+Inf"}`: 4,
	}
	if diff := cmp.Diff(want, pick(got, keysOf(want)...)); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	for k := range got {
		if strings.Contains(k, "nope") {
			t.Errorf("a Host header became a label: %s", k)
		}
	}

	blk.open()
	receive(t, "the held request", held)
	t.Run("series of apps and releases that left are deleted", func(t *testing.T) {
		r.Update([]paas.Instance{withRelease(upInst, 3)})
		waitHealthy(t, r, up)
		after := scrape(t, r)
		for k := range after {
			if strings.Contains(k, `app="slow"`) || strings.Contains(k, `release="1"`) || strings.Contains(k, `release="2"`) {
				t.Errorf("series left behind: %s", k)
			}
		}
		if _, ok := after[`paas_router_requests_total{app="hello",code_class="2xx",release="3"}`]; !ok {
			t.Errorf("no series for the new release")
		}
		if after[`paas_router_rejected_total{app="hello",reason="ratelimit"}`] != 1 {
			t.Errorf("the app's own series were lost with its release: %v", pick(after, `paas_router_rejected_total{app="hello",reason="ratelimit"}`))
		}
	})
}

func withRelease(inst paas.Instance, release int) paas.Instance {
	inst.Release = release
	return inst
}

func keysOf(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func TestMetricsOfMaintenanceAndNoHealthy(t *testing.T) {
	sick := newBackend(t, "sick", nil)
	sick.healthy.Store(false)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{sick.instance("sick")})
	waitState(t, r, sick, stateUnhealthy)
	front := newFrontend(t, r)

	front.get(t, "sick.localhost")
	r.SetMaintenance("sick", true)
	r.SetMaintenance("ghost", true)
	front.get(t, "sick.localhost")
	front.get(t, "ghost.localhost")

	want := map[string]float64{
		`paas_router_rejected_total{app="sick",reason="no_healthy"}`:          1,
		`paas_router_rejected_total{app="sick",reason="maintenance"}`:         1,
		`paas_router_rejected_total{app="ghost",reason="maintenance"}`:        1,
		`paas_router_requests_total{app="sick",code_class="5xx",release=""}`:  2,
		`paas_router_requests_total{app="ghost",code_class="5xx",release=""}`: 1,
	}
	if diff := cmp.Diff(want, pick(scrape(t, r), keysOf(want)...)); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
	r.SetMaintenance("ghost", false)
	for k := range scrape(t, r) {
		if strings.Contains(k, `app="ghost"`) {
			t.Errorf("series of an app out of maintenance and the table left behind: %s", k)
		}
	}
}
