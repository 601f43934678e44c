package pipeline

import (
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/appspec"
	"github.com/google/go-cmp/cmp"
)

// TestReleaseSpecAutoscale holds the path from app.yml's scale block to
// the formation a release records, which AutoscalePolicies reads as the
// app.yml policy.
func TestReleaseSpecAutoscale(t *testing.T) {
	for _, tc := range []struct {
		name string
		yml  string
		want paas.Process
	}{
		{"fixed count", "processes:\n  web:\n    scale: 2\n",
			paas.Process{Type: "web", Count: 2, CPU: 100, Memory: 128, Min: 2, Max: 2}},
		{"bounds without target", "processes:\n  web:\n    scale: {min: 1, max: 5}\n",
			paas.Process{Type: "web", Count: 1, CPU: 100, Memory: 128, Min: 1, Max: 5}},
		{"targets", "processes:\n  web:\n    scale: {min: 1, max: 10, target_inflight: 20, target_p95: 200ms}\n",
			paas.Process{Type: "web", Count: 1, CPU: 100, Memory: 128, Min: 1, Max: 10,
				Autoscale: &paas.AutoscaleTargets{Inflight: 20, P95: 200 * time.Millisecond}}},
		{"to zero", "processes:\n  web:\n    scale: {min: 0, max: 3, target_rps: 50, idle: 30s}\n",
			paas.Process{Type: "web", Count: 1, CPU: 100, Memory: 128, Min: 0, Max: 3,
				Autoscale: &paas.AutoscaleTargets{RPS: 50, Idle: 30 * time.Second}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := appspec.Parse("app.yml", []byte(tc.yml))
			if err != nil {
				t.Fatal(err)
			}
			rs := releaseSpec(spec)
			if diff := cmp.Diff([]paas.Process{tc.want}, rs.Formation); diff != "" {
				t.Errorf("formation (-want +got):\n%s", diff)
			}
			if w := rs.Formation[0]; w.Autoscale != nil {
				pol := paas.AutoscalePolicy{Process: w.Type, Enabled: true, Min: w.Min, Max: w.Max, AutoscaleTargets: *w.Autoscale}
				if err := pol.Validate(); err != nil {
					t.Errorf("the app.yml policy is refused: %v", err)
				}
			}
		})
	}
}
