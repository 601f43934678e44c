package autoscale_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/autoscale"
)

// benchOptions are the production windows, cooldown and interval.
var benchOptions = autoscale.Options{}

// BenchmarkSpikeToNewInstance measures the time from the start of a load
// spike to the first response served by an instance the autoscaler
// started for it (bench/autoscale.sh). Each run deploys a fresh app.
func BenchmarkSpikeToNewInstance(b *testing.B) {
	image := slowImage(b)
	policy := paas.AutoscalePolicy{Min: 1, Max: 4, AutoscaleTargets: paas.AutoscaleTargets{Inflight: 2}}
	var took []time.Duration
	for range b.N {

		st := startStack(b, image, "/", 1, policy, benchOptions)
		warm := st.startLoad(1, "/cgi-bin/slow", 30*time.Second)
		time.Sleep(2 * time.Second)
		warm.stop()
		old := map[string]bool{}
		for body := range warm.bodies {
			old[body] = true
		}
		start := time.Now()
		spike := st.startLoad(12, "/cgi-bin/slow", 30*time.Second)
		for time.Since(start) < 30*time.Second {
			if at, ok := spike.firstNew(old); ok {
				took = append(took, at.Sub(start))
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		spike.stop()
		if len(took) == 0 || took[len(took)-1] == 0 {
			b.Fatal("no new instance served within 30s of the spike")
		}
		b.Logf("spike to first response from a new instance: %s", took[len(took)-1])
	}
	b.ReportMetric(float64(median(took).Milliseconds()), "ms-median")
}

// BenchmarkColdStart measures, for the go stack's sample app scaled to
// zero, the time from a request to its first byte.
func BenchmarkColdStart(b *testing.B) {
	policy := paas.AutoscalePolicy{Min: 0, Max: 2, AutoscaleTargets: paas.AutoscaleTargets{Inflight: 10, Idle: time.Hour}}
	st := startStack(b, goAppImage(b), "/healthz", 1, policy, benchOptions)
	var took []time.Duration
	for range b.N {

		if _, err := st.p.Autoscale(context.Background(), st.app, "web", 0, "bench"); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for st.hasInstances(b) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond)
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		code, _, err := st.get(ctx, "/")
		cancel()
		if err != nil || code != 200 {
			b.Fatalf("cold request: %d %v", code, err)
		}
		took = append(took, time.Since(start))
		b.Logf("cold start to first byte: %s", took[len(took)-1])
	}
	b.ReportMetric(float64(median(took).Milliseconds()), "ms-median")
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
