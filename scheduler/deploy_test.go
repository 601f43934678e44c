package scheduler

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// These tests run real containers on a real Nomad agent (see TestMain).
// Each uses its own app and destroys it at the end.

func TestDeployRetireAndWatch(t *testing.T) {
	s := newTestScheduler(t, Options{})
	v1, v2 := webImage(t, "hello v1\n"), webImage(t, "hello v2\n")
	destroyAtEnd(t, s, "hello")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	w := startWatch(t, s)

	progress := &progressLog{t: t}
	if err := s.Deploy(ctx, webDeployment("hello", 1, v1), progress); err != nil {
		t.Fatalf("deploy v1: %v", err)
	}
	for _, line := range []string{"Launching v1: 1 web instance\n", "web.1 started\n", "web.1 healthy\n", "v1 is healthy ("} {
		if !strings.Contains(progress.String(), line) {
			t.Errorf("progress lacks %q:\n%s", line, progress)
		}
	}
	got := w.waitFor(t, "v1 instance", func(in []paas.Instance) bool { return releasesOf(in, "hello") == "1" })
	inst := got[0]
	if inst.HealthPath != "/" || inst.AllocID == "" || !strings.HasPrefix(inst.Addr, "127.0.0.1:") {
		t.Errorf("instance = %+v, want health path /, an alloc and a loopback address", inst)
	}
	if body := get(t, inst.Addr); body != "hello v1\n" {
		t.Errorf("GET v1 = %q", body)
	}

	if err := s.Deploy(ctx, webDeployment("hello", 2, v2), progress); err != nil {
		t.Fatalf("deploy v2: %v", err)
	}
	w.waitFor(t, "v1 and v2 instances", func(in []paas.Instance) bool { return releasesOf(in, "hello") == "1,2" })
	assertReleases(t, s, "hello", 1, 2)

	// Retire: v1 leaves the catalogue first and keeps serving for the
	// shutdown delay, so that a router can drop it before it dies.
	retired := make(chan error, 1)
	go func() { retired <- s.Retire(ctx, "hello", 2) }()
	got = w.waitFor(t, "only v2", func(in []paas.Instance) bool { return releasesOf(in, "hello") == "2" })
	if body, err := tryGet(inst.Addr); err != nil || body != "hello v1\n" {
		t.Errorf("v1 right after it left the catalogue: GET = %q, %v; want it still serving", body, err)
	}
	if err := <-retired; err != nil {
		t.Fatalf("retire: %v", err)
	}
	if _, err := tryGet(inst.Addr); err == nil {
		t.Errorf("v1 still serves after Retire returned")
	}
	assertReleases(t, s, "hello", 2)
	assertJobs(t, s, "hello", JobID("hello", 2))
	if body := get(t, got[0].Addr); body != "hello v2\n" {
		t.Errorf("GET v2 = %q", body)
	}
	w.stop(t)
}

func TestDeployCrashLoopKeepsPreviousRelease(t *testing.T) {
	s := newTestScheduler(t, Options{})
	good, bad := webImage(t, "still v1\n"), crashImage(t)
	destroyAtEnd(t, s, "crashy")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := s.Deploy(ctx, webDeployment("crashy", 1, good), nil); err != nil {
		t.Fatalf("deploy v1: %v", err)
	}

	progress := &progressLog{t: t}
	err := s.Deploy(ctx, webDeployment("crashy", 2, bad), progress)
	assertDeployError(t, err, paas.EINVALID,
		"release v2 failed to start: web exited with code 1 (2 restarts)", "last output of web.1:", "boom")
	if !strings.Contains(progress.String(), "web.1 crashed (exited with code 1), restarting") {
		t.Errorf("progress lacks the crash:\n%s", progress)
	}
	assertReleases(t, s, "crashy", 1)
	assertJobs(t, s, "crashy", JobID("crashy", 1))
	insts := instancesOf(t, s, "crashy")
	if len(insts) != 1 || insts[0].Release != 1 {
		t.Fatalf("instances = %+v, want only v1", insts)
	}
	if body := get(t, insts[0].Addr); body != "still v1\n" {
		t.Errorf("GET v1 = %q", body)
	}
}

func TestDeployFailingHealthCheck(t *testing.T) {
	s := newTestScheduler(t, Options{HealthyDeadline: 5 * time.Second})
	image := webImage(t, "no health here\n")
	destroyAtEnd(t, s, "sick")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	d := webDeployment("sick", 1, image)
	d.HealthPath = "/healthz"
	err := s.Deploy(ctx, d, nil)
	assertDeployError(t, err, paas.EINVALID,
		"release v1 failed to start: web failed its health check: GET /healthz returned HTTP 404")
	assertJobs(t, s, "sick")
}

func TestDeployPlacementFailure(t *testing.T) {
	s := newTestScheduler(t, Options{MemoryMB: 1 << 30})
	image := webImage(t, "too big\n")
	destroyAtEnd(t, s, "huge")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.Deploy(ctx, webDeployment("huge", 1, image), nil)
	assertDeployError(t, err, paas.EINVALID, "release v1 failed to start: could not be placed: web: memory exhausted on 1 node")
	assertJobs(t, s, "huge")
}

func TestDeployProcessesAndCommands(t *testing.T) {
	s := newTestScheduler(t, Options{})
	image := webImage(t, "two of us\n")
	destroyAtEnd(t, s, "multi")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	d := paas.Deployment{
		App: "multi", Release: 1, Image: image,
		Processes: []paas.Process{
			{Type: "web", Count: 2, Command: []string{"httpd", "-f", "-p", "${PORT}", "-h", "/www"}},
			{Type: "worker", Count: 1, Command: []string{"sh", "-c", "while true; do sleep 1; done"}},
			{Type: "clock", Count: 0},
		},
		HealthPath: "/index.html",
	}
	progress := &progressLog{t: t}
	if err := s.Deploy(ctx, d, progress); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	for _, line := range []string{"Launching v1: 2 web instances, 1 worker instance\n", "web.2 healthy\n", "worker.1 healthy\n"} {
		if !strings.Contains(progress.String(), line) {
			t.Errorf("progress lacks %q:\n%s", line, progress)
		}
	}
	insts := instancesOf(t, s, "multi")
	if len(insts) != 2 {
		t.Fatalf("instances = %+v, want 2 web instances", insts)
	}
	for _, in := range insts {
		if in.HealthPath != "/index.html" {
			t.Errorf("health path = %q", in.HealthPath)
		}
		if body := get(t, in.Addr); body != "two of us\n" {
			t.Errorf("GET %s = %q", in.Addr, body)
		}
	}
}

func TestDeployCancelledPurgesJob(t *testing.T) {
	s := newTestScheduler(t, Options{})
	image := webImage(t, "slow\n")
	destroyAtEnd(t, s, "cancelled")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := s.Deploy(ctx, webDeployment("cancelled", 1, image), nil)
	assertDeployError(t, err, paas.EUNAVAILABLE, "deploy of release v1 was cancelled")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap the context's error", err)
	}
	assertJobs(t, s, "cancelled")
}

func TestDestroy(t *testing.T) {
	s := newTestScheduler(t, Options{})
	image := webImage(t, "bye\n")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for rel := 1; rel <= 2; rel++ {
		if err := s.Deploy(ctx, webDeployment("doomed", rel, image), nil); err != nil {
			t.Fatalf("deploy v%d: %v", rel, err)
		}
	}
	assertReleases(t, s, "doomed", 1, 2)
	if err := s.Destroy(ctx, "doomed"); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	assertReleases(t, s, "doomed")
	assertJobs(t, s, "doomed")
	if in := instancesOf(t, s, "doomed"); len(in) > 0 {
		t.Errorf("instances after destroy: %+v", in)
	}
	if err := s.Destroy(ctx, "doomed"); err != nil {
		t.Errorf("second destroy: %v", err)
	}
}

func TestPing(t *testing.T) {
	s := newTestScheduler(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	down, err := New(Options{Address: "http://127.0.0.1:1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := down.Ping(ctx); paas.ErrorCode(err) != paas.EUNAVAILABLE {
		t.Errorf("ping of nothing = %v (%s), want %s", err, paas.ErrorCode(err), paas.EUNAVAILABLE)
	}
}

// assertDeployError checks the code of err and that its user-facing
// message contains each of parts.
func assertDeployError(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("deploy succeeded, want a %s error", code)
	}
	t.Logf("deploy error:\n%s", paas.ErrorMessage(err))
	if got := paas.ErrorCode(err); got != code {
		t.Errorf("error code = %s, want %s (error: %v)", got, code, err)
	}
	for _, p := range parts {
		if !strings.Contains(paas.ErrorMessage(err), p) {
			t.Errorf("error message lacks %q:\n%s", p, paas.ErrorMessage(err))
		}
	}
}

func assertReleases(t *testing.T, s *Scheduler, app string, want ...int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := s.Releases(ctx, app)
	if err != nil {
		t.Fatalf("releases: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("releases of %s = %v, want %v", app, got, want)
	}
}

// assertJobs checks the IDs of the jobs Nomad holds for app, stopped or
// not: a purged job is gone.
func assertJobs(t *testing.T, s *Scheduler, app string, want ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	jobs, err := s.appJobs(ctx, app)
	if err != nil {
		t.Fatalf("jobs: %v", err)
	}
	var got []string
	for _, j := range jobs {
		got = append(got, j.id)
	}
	if !slices.Equal(got, want) {
		t.Errorf("jobs of %s = %v, want %v", app, got, want)
	}
}
