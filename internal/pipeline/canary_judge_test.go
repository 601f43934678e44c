package pipeline

import (
	"strings"
	"testing"
	"time"
)

func TestJudge(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name           string
		stable, canary traffic
		ok             bool
		why            string
	}{
		{"same", traffic{100, 0.01, 20 * ms}, traffic{100, 0.01, 22 * ms}, true, "healthy"},
		{"little traffic", traffic{100, 0, 20 * ms}, traffic{5, 1, 5 * time.Second}, true, "too little traffic"},
		{"errors", traffic{100, 0.01, 20 * ms}, traffic{50, 0.2, 20 * ms}, false, "error rate too high: error rate 20.0% vs 1.0%"},
		{"errors within the margin", traffic{100, 0.01, 20 * ms}, traffic{50, 0.05, 20 * ms}, true, "healthy"},
		{"slow", traffic{100, 0, 20 * ms}, traffic{50, 0, 200 * ms}, false, "too slow"},
		{"slow but stable unknown", traffic{3, 0, 20 * ms}, traffic{50, 0, 200 * ms}, true, "healthy"},
		{"a little slower", traffic{100, 0, 20 * ms}, traffic{50, 0, 70 * ms}, true, "healthy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := judge(tc.stable, tc.canary)
			if ok != tc.ok || !strings.HasPrefix(why, tc.why) {
				t.Errorf("judge = %v, %q; want %v, %q…", ok, why, tc.ok, tc.why)
			}
		})
	}
}
