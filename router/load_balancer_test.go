package router

import (
	"context"
	"log/slog"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestLoadBalancerPick(t *testing.T) {
	tests := []struct {
		name    string
		healthy string // one letter per target, "+" healthy, "-" not
		skip    int    // index of the target to skip, -1 for none
		want    string // addresses picked by 6 calls, "" for nil
	}{
		{"all healthy", "+++", -1, "abcabc"},
		{"one down keeps the rotation even", "+-+", -1, "acacac"},
		{"only one up", "--+", -1, "cccccc"},
		{"none up", "---", -1, "      "},
		{"no targets", "", -1, "      "},
		{"skip the failed one", "+++", 0, "bcbcbc"},
		{"skip the only one", "+--", 0, "      "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lb := &loadBalancer{}
			for i, h := range tc.healthy {
				tg := newTarget(context.Background(), paas.Instance{App: "hello", Addr: string(rune('a' + i))}, thresholds{1, 1}, slog.New(slog.DiscardHandler))
				tg.healthy.Store(h == '+')
				lb.targets = append(lb.targets, tg)
			}
			var skip *target
			if tc.skip >= 0 {
				skip = lb.targets[tc.skip]
			}
			got := ""
			for range 6 {
				if tg := lb.pick(skip); tg != nil {
					got += tg.inst.Addr
				} else {
					got += " "
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("picks (-want +got):\n%s", diff)
			}
		})
	}
}
