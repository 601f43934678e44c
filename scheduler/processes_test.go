package scheduler

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestProcessesAndRestart(t *testing.T) {
	s := newTestScheduler(t, Options{})
	image := webImage(t, "ps\n")
	destroyAtEnd(t, s, "ps")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	d := paas.Deployment{App: "ps", Release: 1, Image: image, Processes: []paas.Process{
		{Type: "web", Count: 2},
		{Type: "worker", Count: 1, Command: []string{"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"}},
	}}
	if err := s.Deploy(ctx, d, nil); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	before := processes(t, s, "ps")
	want := []string{"web.1 running healthy", "web.2 running healthy", "worker.1 running healthy"}
	if diff := cmp.Diff(want, describeStates(before)); diff != "" {
		t.Fatalf("processes (-want +got):\n%s", diff)
	}

	if err := s.Restart(ctx, "ps", 1, "web"); err != nil {
		t.Fatalf("restart: %v", err)
	}
	after := processes(t, s, "ps")
	if diff := cmp.Diff(want, describeStates(after)); diff != "" {
		t.Errorf("processes after restart (-want +got):\n%s", diff)
	}
	for i := range after {
		replaced := after[i].AllocID != before[i].AllocID
		if replaced != (after[i].Type == "web") {
			t.Errorf("%s: alloc %s -> %s; only web instances should be replaced", after[i].Name, before[i].AllocID, after[i].AllocID)
		}
	}
	if err := s.Restart(ctx, "ps", 1, "clock"); paas.ErrorCode(err) != paas.ENOTFOUND {
		t.Errorf("restart of a process type without instances = %v, want %s", err, paas.ENOTFOUND)
	}
	if err := s.Restart(ctx, "ps", 9, ""); paas.ErrorCode(err) != paas.ENOTFOUND {
		t.Errorf("restart of a release without a job = %v, want %s", err, paas.ENOTFOUND)
	}
}

func processes(t *testing.T, s *Scheduler, app string) []paas.ProcessState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ps, err := s.Processes(ctx, app)
	if err != nil {
		t.Fatalf("processes: %v", err)
	}
	for _, p := range ps {
		if p.Release != 1 || p.AllocID == "" || p.Since.IsZero() {
			t.Errorf("process %+v: want release 1, an alloc and a time", p)
		}
	}
	return ps
}

func describeStates(ps []paas.ProcessState) []string {
	var out []string
	for _, p := range ps {
		h := "unhealthy"
		if p.Healthy {
			h = "healthy"
		}
		out = append(out, p.Name+" "+p.State+" "+h)
	}
	return out
}

func TestCompareNames(t *testing.T) {
	names := []string{"worker.1", "web.10", "web.2", "web.1"}
	slices.SortFunc(names, compareNames)
	if diff := cmp.Diff([]string{"web.1", "web.2", "web.10", "worker.1"}, names); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
