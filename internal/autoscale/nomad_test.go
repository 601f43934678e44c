package autoscale_test

import (
	"context"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// TestScaleOnLoad drives one app through a steady load, a spike and
// silence, on real Nomad, and checks that the autoscaler follows it: up
// under load, no change while the load holds steady, never past the
// maximum, and back to the minimum once the load stops.
func TestScaleOnLoad(t *testing.T) {
	policy := paas.AutoscalePolicy{Min: 1, Max: 3, AutoscaleTargets: paas.AutoscaleTargets{Inflight: 2}}
	st := startStack(t, slowImage(t), "/", 1, policy, testOptions)

	// Four clients keep four requests in flight: two instances at the
	// target of two each.
	steady := st.startLoad(4, "/cgi-bin/slow", 90*time.Second)
	defer steady.stop()
	st.waitCount(t, 2, 20*time.Second)
	settled := len(st.p.history())
	time.Sleep(12 * time.Second)
	if h := st.p.history(); len(h) != settled {
		t.Errorf("count changed under steady load (flapping): %v", h[settled:])
	}

	// A spike to twelve in flight asks for six; the maximum is three.
	spike := st.startLoad(8, "/cgi-bin/slow", 60*time.Second)
	st.waitCount(t, 3, 15*time.Second)
	time.Sleep(4 * time.Second)
	spike.stop()
	steady.stop()
	for _, c := range st.p.history() {
		if c.count < policy.Min || c.count > policy.Max {
			t.Errorf("count %d outside %d..%d: %s", c.count, policy.Min, policy.Max, c.reason)
		}
	}

	// Silence: back to the minimum after the cooldown, not below it.
	st.waitCount(t, 1, 40*time.Second)
	time.Sleep(3 * time.Second)
	if n := st.p.count(); n != 1 {
		t.Errorf("count is %d after the load stopped, want the minimum 1", n)
	}
	for _, c := range st.p.history() {
		t.Logf("web=%d: %s", c.count, c.reason)
	}
}

// TestScaleToZero lets an idle app go to zero and checks that the next
// request is held by the router while one instance starts, then served.
func TestScaleToZero(t *testing.T) {
	policy := paas.AutoscalePolicy{Min: 0, Max: 2, AutoscaleTargets: paas.AutoscaleTargets{Inflight: 10, Idle: 5 * time.Second}}
	opts := testOptions
	opts.Cooldown = 3 * time.Second
	st := startStack(t, goAppImage(t), "/healthz", 1, policy, opts)

	st.waitCount(t, 0, 30*time.Second)
	// Wait for the instance to leave the router's table.
	deadline := time.Now().Add(20 * time.Second)
	for st.hasInstances(t) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // for the router to hear of it

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, body, err := st.get(ctx, "/")
	took := time.Since(start)
	if err != nil || code != 200 {
		t.Fatalf("held request: %d %q %v", code, body, err)
	}
	t.Logf("cold start from zero to the first response: %s", took)
	if n := st.p.count(); n != 1 {
		t.Errorf("count after the wake is %d, want 1", n)
	}
}

// hasInstances reports whether the catalogue still has an instance of the
// app. (Asking the router would wake it.)
func (st *stack) hasInstances(t testing.TB) bool {
	t.Helper()
	insts, err := st.p.s.Instances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range insts {
		if in.App == st.app {
			return true
		}
	}
	return false
}
