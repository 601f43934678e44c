package autoscale_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/autoscale"
	"github.com/gitpaas/paas/internal/nomadtest"
	"github.com/gitpaas/paas/router"
	"github.com/gitpaas/paas/scheduler"
)

// TestMain shares one Nomad agent between the integration tests.
func TestMain(m *testing.M) { os.Exit(nomadtest.Main(m)) }

// fakePipeline is the deploy pipeline reduced to what the autoscaler
// needs, acting on the real scheduler: one release of one app whose web
// count changes in place, and a record of every change.
type fakePipeline struct {
	s *scheduler.Scheduler

	mu      sync.Mutex
	d       paas.Deployment
	policy  paas.AutoscalePolicy
	changes []change
}

// change is one count the autoscaler applied.
type change struct {
	at     time.Time
	count  int
	reason string
}

func (f *fakePipeline) ListApps(context.Context) ([]*paas.App, error) {
	return []*paas.App{{Name: f.d.App, Release: f.d.Release}}, nil
}

func (f *fakePipeline) AutoscalePolicies(_ context.Context, app string) ([]paas.AutoscalePolicy, *paas.Release, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if app != f.d.App {
		return nil, nil, paas.Errorf(paas.ENOTFOUND, "no app %s", app)
	}
	r := &paas.Release{App: app, Version: f.d.Release, Spec: paas.ReleaseSpec{Formation: slices.Clone(f.d.Processes)}}
	return []paas.AutoscalePolicy{f.policy}, r, nil
}

func (f *fakePipeline) Autoscale(ctx context.Context, app, process string, count int, reason string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.d.Processes[0].Count == count {
		return false, nil
	}
	d := f.d
	d.Processes = []paas.Process{{Type: "web", Count: count}}
	if err := f.s.Scale(ctx, d); err != nil {
		return false, err
	}
	f.d = d
	f.changes = append(f.changes, change{time.Now(), count, reason})
	return true, nil
}

func (f *fakePipeline) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.d.Processes[0].Count
}

func (f *fakePipeline) history() []change {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.changes)
}

// stack is a real Nomad, the real scheduler and router, and an autoscaler.
type stack struct {
	p      *fakePipeline
	router *router.Router
	url    string // the router's address
	app    string
	as     *autoscale.Autoscaler
}

// testOptions make decisions within seconds, so tests take well under a
// minute; production windows are longer.
var testOptions = autoscale.Options{
	Interval: 500 * time.Millisecond, StableWindow: 8 * time.Second,
	PanicWindow: 3 * time.Second, Cooldown: 8 * time.Second, PolicyRefresh: time.Second,
}

// startStack deploys image as app with count web instances, and starts a
// router that follows the catalogue and an autoscaler with policy.
func startStack(t testing.TB, image, healthPath string, count int, policy paas.AutoscalePolicy, opts autoscale.Options) *stack {
	t.Helper()
	addr := nomadtest.Start(t)
	logger := testLogger(t)
	s, err := scheduler.New(scheduler.Options{Address: addr}, logger)
	if err != nil {
		t.Fatal(err)
	}
	app := fmt.Sprintf("as%d", rand.Uint32())
	policy.App, policy.Process, policy.Enabled = app, "web", true
	d := paas.Deployment{App: app, Release: 1, Image: image, HealthPath: healthPath,
		Processes: []paas.Process{{Type: "web", Count: count}}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer dcancel()
		if err := s.Destroy(dctx, app); err != nil {
			t.Errorf("destroy %s: %v", app, err)
		}
	})
	if err := s.Deploy(ctx, d, io.Discard); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	r := router.New(router.Options{}, logger)
	t.Cleanup(r.Close)
	go s.WatchInstances(ctx, r.Update)
	front := httptest.NewServer(r)
	t.Cleanup(front.Close)
	metrics := httptest.NewServer(r.MetricsHandler())
	t.Cleanup(metrics.Close)
	p := &fakePipeline{s: s, d: d, policy: policy}
	opts.MetricsURL = metrics.URL
	as, err := autoscale.New(opts, p, p, logger)
	if err != nil {
		t.Fatal(err)
	}
	r.SetWaker(as, router.HoldOptions{Timeout: 20 * time.Second})
	go as.Run(ctx)
	st := &stack{p: p, router: r, url: front.URL, app: app, as: as}
	st.waitServing(t, 20*time.Second)
	return st
}

// get sends one request for path to the app through the router.
func (st *stack) get(ctx context.Context, path string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, st.url+path, nil)
	if err != nil {
		return 0, "", err
	}
	req.Host = st.app + ".localhost"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (st *stack) waitServing(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if code, _, err := st.get(context.Background(), "/"); err == nil && code == 200 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not served through the router within %s", st.app, within)
}

// waitCount waits until the autoscaler set the web count to want.
func (st *stack) waitCount(t testing.TB, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if st.p.count() == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	reason, _ := st.as.Status(st.app)
	t.Fatalf("web count is %d, want %d within %s; last reasoning: %s; changes: %v", st.p.count(), want, within, reason, st.p.history())
}

// load sends requests for path from workers concurrent clients until it
// is stopped or its bound of time runs out; it counts the bodies seen.
type load struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sent   atomic.Int64
	mu     sync.Mutex
	bodies map[string]time.Time // first time each body was seen
}

func (st *stack) startLoad(workers int, path string, bound time.Duration) *load {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	l := &load{cancel: cancel, bodies: map[string]time.Time{}}
	for range workers {
		l.wg.Go(func() {
			for ctx.Err() == nil {
				code, body, err := st.get(ctx, path)
				if err != nil || code != 200 {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				l.sent.Add(1)
				l.mu.Lock()
				if _, ok := l.bodies[body]; !ok {
					l.bodies[body] = time.Now()
				}
				l.mu.Unlock()
			}
		})
	}
	return l
}

func (l *load) stop() {
	l.cancel()
	l.wg.Wait()
}

// firstSeen returns when a body other than those in old was first seen.
func (l *load) firstNew(old map[string]bool) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first time.Time
	for b, at := range l.bodies {
		if !old[b] && (first.IsZero() || at.Before(first)) {
			first = at
		}
	}
	return first, !first.IsZero()
}

// slowImage is a busybox httpd whose /cgi-bin/slow answers after a pause
// with the allocation's ID, so that requests stay in flight and each
// answer says which instance served it.
func slowImage(t testing.TB) string {
	t.Helper()
	base := nomadtest.Busybox(t)
	tag := fmt.Sprintf("paas-test/slow:%d", rand.Uint64())
	nomadtest.BuildImage(t, tag,
		"FROM "+base+"\nCOPY index.html /www/index.html\nCOPY slow /www/cgi-bin/slow\nRUN chmod 755 /www/cgi-bin/slow\n"+
			"CMD trap 'exit 0' TERM; httpd -f -p $PORT -h /www & wait\n",
		map[string]string{
			"index.html": "ok\n",
			"slow":       "#!/bin/sh\nsleep 0.25\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' \"$NOMAD_ALLOC_ID\"\n",
		})
	return tag
}

// goAppImage builds the go stack's sample app into a scratch image.
func goAppImage(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "apps", "go")
	cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "hello"), ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the sample go app: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(filepath.Join(dir, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("paas-test/hello-go:%d", rand.Uint64())
	base := nomadtest.Busybox(t) // for chmod: files arrive as 0644
	nomadtest.BuildImage(t, tag, "FROM "+base+"\nCOPY hello /hello\nRUN chmod 755 /hello\nCMD [\"/hello\"]\n", map[string]string{"hello": string(bin)})
	return tag
}

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("AUTOSCALE_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
