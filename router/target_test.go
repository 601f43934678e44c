package router

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/gitpaas/paas"
)

func TestTargetHealthThresholds(t *testing.T) {
	// Events: P a passing check, F a failing check, C a refused connection.
	tests := []struct {
		name   string
		limits thresholds
		events string
		want   healthState
	}{
		{"new target is unknown", thresholds{1, 2}, "", stateUnknown},
		{"one pass makes healthy", thresholds{1, 2}, "P", stateHealthy},
		{"needs two passes", thresholds{2, 2}, "P", stateUnknown},
		{"two passes make healthy", thresholds{2, 2}, "PP", stateHealthy},
		{"first failure of a new target", thresholds{1, 2}, "F", stateUnhealthy},
		{"one failure is tolerated", thresholds{1, 2}, "PF", stateHealthy},
		{"two failures eject", thresholds{1, 2}, "PFF", stateUnhealthy},
		{"failures must be consecutive", thresholds{1, 2}, "PFPF", stateHealthy},
		{"passes must be consecutive", thresholds{2, 2}, "FPFP", stateUnhealthy},
		{"refused connection ejects at once", thresholds{1, 3}, "PPC", stateUnhealthy},
		{"back after refused connection", thresholds{2, 3}, "PPCPP", stateHealthy},
		{"not back after one pass", thresholds{2, 3}, "PPCP", stateUnhealthy},
		{"refused connection when never healthy", thresholds{1, 2}, "C", stateUnhealthy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inst := paas.Instance{App: "hello", Addr: "127.0.0.1:1", HealthPath: "/"}
			tg := newTarget(context.Background(), inst, tc.limits, slog.New(slog.DiscardHandler))
			defer tg.stop()
			for _, e := range tc.events {
				switch e {
				case 'P':
					tg.checkPassed()
				case 'F':
					tg.checkFailed(errors.New("check failed"))
				case 'C':
					tg.connectionFailed(errors.New("connection refused"))
				}
			}
			if tg.state != tc.want || tg.isHealthy() != (tc.want == stateHealthy) {
				t.Errorf("after %q: state %s, healthy %v; want %s", tc.events, tg.state, tg.isHealthy(), tc.want)
			}
		})
	}
}

func TestNormalizeInstance(t *testing.T) {
	tests := []struct {
		name     string
		inst     paas.Instance
		wantPath string
		wantErr  bool
	}{
		{"default health path", paas.Instance{App: "hello", Addr: "127.0.0.1:8080"}, "/", false},
		{"health path with query", paas.Instance{App: "hello", Addr: "127.0.0.1:8080", HealthPath: "/up?full=1"}, "/up?full=1", false},
		{"ipv6 address", paas.Instance{App: "hello", Addr: "[::1]:8080"}, "/", false},
		{"upper-case app", paas.Instance{App: "Hello", Addr: "127.0.0.1:8080"}, "", true},
		{"no port", paas.Instance{App: "hello", Addr: "127.0.0.1"}, "", true},
		{"port zero", paas.Instance{App: "hello", Addr: "127.0.0.1:0"}, "", true},
		{"no host", paas.Instance{App: "hello", Addr: ":8080"}, "", true},
		{"relative health path", paas.Instance{App: "hello", Addr: "127.0.0.1:8080", HealthPath: "up"}, "", true},
		{"health path naming another host", paas.Instance{App: "hello", Addr: "127.0.0.1:8080", HealthPath: "//evil/"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := normalizeInstance(tc.inst)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && got.HealthPath != tc.wantPath {
				t.Errorf("HealthPath = %q, want %q", got.HealthPath, tc.wantPath)
			}
		})
	}
}
