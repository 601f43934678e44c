package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestRoutesOnNomad(t *testing.T) {
	s := newTestScheduler(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Other tests on the shared agent may set routes too: look only at
	// this test's apps.
	mine := map[string]bool{"routes-a": true, "routes-b": true}
	seen := make(chan []paas.Route, 16)
	go s.WatchRoutes(ctx, func(rs []paas.Route) {
		var got []paas.Route
		for _, r := range rs {
			if mine[r.App] {
				got = append(got, r)
			}
		}
		seen <- got
	})

	if r, err := s.Route(ctx, "routes-a"); err != nil || r != (paas.Route{App: "routes-a"}) {
		t.Fatalf("Route of an app without one = %+v, %v; want the zero route", r, err)
	}
	a := paas.Route{App: "routes-a", Release: 3, Canary: 4, CanaryWeight: 10}
	b := paas.Route{App: "routes-b", Release: 1, Maintenance: true}
	for _, r := range []paas.Route{b, a} {
		if err := s.SetRoute(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	waitRoutes(t, seen, []paas.Route{a, b})
	if r, err := s.Route(ctx, "routes-a"); err != nil || r != a {
		t.Errorf("Route = %+v, %v; want %+v", r, err, a)
	}

	a.Canary, a.CanaryWeight, a.Release = 0, 0, 4
	if err := s.SetRoute(ctx, a); err != nil {
		t.Fatal(err)
	}
	waitRoutes(t, seen, []paas.Route{a, b})
	if err := s.DeleteRoute(ctx, "routes-b"); err != nil {
		t.Fatal(err)
	}
	waitRoutes(t, seen, []paas.Route{a})
	if err := s.DeleteRoute(ctx, "routes-b"); err != nil {
		t.Errorf("deleting a route that is gone: %v", err)
	}

	for _, bad := range []paas.Route{
		{App: "Bad"},
		{App: "x", Release: 1, CanaryWeight: 10},
		{App: "x", Release: 1, Canary: 1, CanaryWeight: 10},
		{App: "x", Release: 1, Canary: 2, CanaryWeight: 101},
	} {
		if err := s.SetRoute(ctx, bad); paas.ErrorCode(err) != paas.EINVALID {
			t.Errorf("SetRoute(%+v) = %v; want EINVALID", bad, err)
		}
	}
}

// waitRoutes waits until the watch reports want.
func waitRoutes(t *testing.T, seen <-chan []paas.Route, want []paas.Route) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	var last []paas.Route
	for {
		select {
		case got := <-seen:
			if cmp.Equal(got, want) {
				return
			}
			last = got
		case <-deadline:
			t.Fatalf("WatchRoutes reported %+v; want %+v", last, want)
		}
	}
}
