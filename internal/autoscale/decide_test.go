package autoscale

import (
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	long := now.Add(-time.Hour)
	inflight := func(min, max, target int) paas.AutoscalePolicy {
		return paas.AutoscalePolicy{Enabled: true, Min: min, Max: max, AutoscaleTargets: paas.AutoscaleTargets{Inflight: target}}
	}
	busy := func(inFlight float64) Signals { return Signals{InFlight: inFlight, Requests: 100, RPS: 10} }
	tests := []struct {
		name       string
		in         Input
		want       int
		wantReason string
	}{
		{"up on the stable window", Input{Policy: inflight(1, 10, 20), Current: 2, Stable: busy(70), Panic: busy(70), LastChange: long}, 4, "in-flight 70.0"},
		{"steady load keeps the count", Input{Policy: inflight(1, 10, 20), Current: 2, Stable: busy(38), Panic: busy(40), LastChange: long}, 2, "in-flight"},
		{"panic on a spike the stable window has not seen", Input{Policy: inflight(1, 10, 20), Current: 2, Stable: busy(30), Panic: busy(100), LastChange: now}, 5, "panic"},
		{"a small rise is not a panic", Input{Policy: inflight(1, 10, 20), Current: 2, Stable: busy(30), Panic: busy(60), LastChange: now}, 2, "in-flight"},
		{"never above the maximum", Input{Policy: inflight(1, 3, 2), Current: 2, Stable: busy(12), Panic: busy(12), LastChange: long}, 3, "maximum 3"},
		{"never below the minimum", Input{Policy: inflight(2, 5, 20), Current: 3, Stable: Signals{}, Panic: Signals{}, LastChange: long, LastActive: now}, 2, "minimum 2"},
		{"down waits for the cooldown", Input{Policy: inflight(1, 10, 20), Current: 4, Stable: busy(10), Panic: busy(10), LastChange: now.Add(-10 * time.Second), Cooldown: time.Minute}, 4, "cooling down 50s"},
		{"down after the cooldown", Input{Policy: inflight(1, 10, 20), Current: 4, Stable: busy(10), Panic: busy(10), LastChange: now.Add(-2 * time.Minute), Cooldown: time.Minute}, 1, "in-flight 10.0"},
		{"no down while panicking", Input{Policy: inflight(1, 10, 20), Current: 8, Stable: busy(10), Panic: busy(400), LastChange: long}, 10, "panic"},
		{"rate target", Input{Policy: paas.AutoscalePolicy{Enabled: true, Min: 1, Max: 10, AutoscaleTargets: paas.AutoscaleTargets{RPS: 50}}, Current: 1, Stable: Signals{RPS: 120, Requests: 1200}, Panic: Signals{RPS: 120, Requests: 360}, LastChange: long}, 3, "rate 120.0"},
		{"latency target scales by the ratio", Input{Policy: paas.AutoscalePolicy{Enabled: true, Min: 1, Max: 10, AutoscaleTargets: paas.AutoscaleTargets{P95: 200 * time.Millisecond}}, Current: 2, Stable: Signals{P95: 500 * time.Millisecond, Requests: 50}, Panic: Signals{P95: 500 * time.Millisecond, Requests: 10}, LastChange: long}, 5, "p95 500ms"},
		{"the largest vote wins", Input{Policy: paas.AutoscalePolicy{Enabled: true, Min: 1, Max: 10, AutoscaleTargets: paas.AutoscaleTargets{Inflight: 10, RPS: 100}}, Current: 1, Stable: Signals{InFlight: 5, RPS: 350, Requests: 100}, Panic: Signals{InFlight: 5, RPS: 350, Requests: 100}, LastChange: long}, 4, "rate"},
		{"scale to zero keeps one until idle", Input{Policy: inflight(0, 5, 10), Current: 1, LastChange: long, LastActive: now.Add(-time.Minute)}, 1, "minimum 1"},
		{"scale to zero after the idle time", Input{Policy: inflight(0, 5, 10), Current: 1, LastChange: long, LastActive: now.Add(-6 * time.Minute)}, 0, "scale to zero"},
		{"idle to zero still waits for the cooldown", Input{Policy: inflight(0, 5, 10), Current: 1, LastChange: now.Add(-time.Second), LastActive: now.Add(-6 * time.Minute), Cooldown: time.Minute}, 1, "cooling down"},
		{"a waiting request wakes at once", Input{Policy: inflight(0, 5, 10), Current: 0, Wanted: true, LastChange: now, LastActive: now, Cooldown: time.Minute}, 1, "waiting"},
		{"asleep stays asleep", Input{Policy: inflight(0, 5, 10), Current: 0, LastChange: long, LastActive: long}, 0, "no traffic"},
		{"traffic wakes from zero", Input{Policy: inflight(0, 5, 10), Current: 0, Stable: busy(25), Panic: busy(25), LastChange: long, LastActive: now}, 3, "panic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Now = now
			if tt.in.LastActive.IsZero() {
				tt.in.LastActive = now
			}
			got := Decide(tt.in)
			if got.Count != tt.want || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("Decide = %d (%s), want %d (%s)", got.Count, got.Reason, tt.want, tt.wantReason)
			}
		})
	}
}

func TestSignals(t *testing.T) {
	t0 := time.Unix(1000, 0)
	bounds := []float64{0.1, 0.5, 1}
	h := history{keep: time.Minute}
	for i := range 11 {
		// 10 requests a second, 5% of them slow.
		n := float64(i * 10)
		h.add(&sample{at: t0.Add(time.Duration(i) * time.Second), inFlight: 2, requests: n,
			bounds: bounds, buckets: []float64{n * 0.9, n * 0.95, n}})
	}
	s := h.signals(t0.Add(10*time.Second), 5*time.Second)
	if s.InFlight != 2 || s.RPS != 10 || s.Requests != 60 {
		t.Errorf("signals = %+v, want 2 in flight, 10 req/s, 60 requests", s)
	}
	if s.P95 != 500*time.Millisecond {
		t.Errorf("p95 = %s, want 500ms", s.P95)
	}
	// A router restart resets its counters; the rate counts from zero.
	h.add(&sample{at: t0.Add(11 * time.Second), requests: 4, bounds: bounds, buckets: []float64{4, 4, 4}})
	if s := h.signals(t0.Add(11*time.Second), 500*time.Millisecond); s.Requests != 4 {
		t.Errorf("after a reset, requests = %v, want 4", s.Requests)
	}
}

func TestParseMetrics(t *testing.T) {
	const text = `# TYPE paas_router_in_flight gauge
paas_router_in_flight{app="a"} 3
# TYPE paas_router_requests_total counter
paas_router_requests_total{app="a",code_class="2xx",release="1"} 10
paas_router_requests_total{app="a",code_class="5xx",release=""} 2
paas_router_requests_total{app="",code_class="4xx",release=""} 7
# TYPE paas_router_request_duration_seconds histogram
paas_router_request_duration_seconds_bucket{app="a",release="1",le="0.1"} 8
paas_router_request_duration_seconds_bucket{app="a",release="1",le="+Inf"} 10
paas_router_request_duration_seconds_sum{app="a",release="1"} 1
paas_router_request_duration_seconds_count{app="a",release="1"} 10
`
	got, err := parseMetrics(strings.NewReader(text), time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	a := got["a"]
	if a == nil || a.inFlight != 3 || a.requests != 12 || len(a.buckets) < 1 || a.buckets[0] != 8 {
		t.Fatalf("app a = %+v", a)
	}
	if _, ok := got[""]; ok {
		t.Error("requests for no app were counted as an app")
	}
}
