package scheduler

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkDeploy measures a deploy of one busybox web instance, from
// Register to healthy, with the default options and with the shortest
// min_healthy_time. Run it with a small, fixed count:
//
//	go test ./scheduler -run '^$' -bench Deploy -benchtime 5x
//
// ms/op is the mean; median-ms the median. Results depend on the load of
// the machine; they are written down in docs, not asserted.
func BenchmarkDeploy(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"defaults", Options{}},
		{"min_healthy=1ms", Options{MinHealthyTime: time.Millisecond}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := newTestScheduler(b, bc.opts)
			image := webImage(b, "bench\n")
			destroyAtEnd(b, s, "bench")
			var took []time.Duration
			b.ResetTimer()
			for i := range b.N {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				start := time.Now()
				if err := s.Deploy(ctx, webDeployment("bench", i+1, image), nil); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
				b.StopTimer()
				if err := s.Retire(ctx, "bench", i+1); err != nil {
					b.Fatal(err)
				}
				cancel()
				b.StartTimer()
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Milliseconds()), "median-ms")
			b.Logf("deploy times: %v", took)
		})
	}
}
