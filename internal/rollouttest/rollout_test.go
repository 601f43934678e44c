//go:build race

// Package rollouttest proves the platform's zero-downtime promise under the
// race detector: the router (in this process) serves constant GET and POST
// traffic to a real app on a real Nomad agent while the test deploys,
// rolls back and moves canary weights twenty times through the
// scheduler's routes, as the deploy pipeline does. Not one request may
// fail, and a broken release must never answer.
//
// It builds only with -race (deploy/test.sh runs it so):
//
//	CI=true go test -race ./internal/rollouttest
package rollouttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/nomadtest"
	"github.com/gitpaas/paas/router"
	"github.com/gitpaas/paas/scheduler"
)

func TestMain(m *testing.M) { os.Exit(nomadtest.Main(m)) }

const app = "stress"

// echoImage builds testdata/echo, a Go server that answers with its
// release and the request's body, into an image.
func echoImage(t *testing.T) string {
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "echo"), "./testdata/echo")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the echo app: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("paas-test/echo:%d", time.Now().UnixNano())
	nomadtest.BuildImage(t, tag, "FROM "+nomadtest.Busybox(t)+"\nCOPY echo /echo\nRUN chmod 755 /echo\nCMD [\"/echo\"]\n",
		map[string]string{"echo": string(b)})
	return tag
}

func TestZeroDowntimeRollouts(t *testing.T) {
	addr := nomadtest.Start(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	sched, err := scheduler.New(scheduler.Options{Address: addr, HealthyDeadline: 15 * time.Second, ProgressDeadline: 20 * time.Second}, logger)
	if err != nil {
		t.Fatal(err)
	}
	image := echoImage(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := sched.Destroy(ctx, app); err != nil {
			t.Errorf("destroy: %v", err)
		}
	})

	// The router of this test, fed by the scheduler as paas-router is.
	rt := router.New(router.Options{HealthInterval: 250 * time.Millisecond, RateLimit: router.Unlimited}, logger)
	defer rt.Close()
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	go sched.WatchInstances(watchCtx, rt.Update)
	go sched.WatchRoutes(watchCtx, rt.UpdateRoutes)
	// Served on the edge, as paas-router's plain listener is: the plain
	// requests of the load take the edge's own path, the others net/http's.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	edge := rt.NewEdge(nil)
	go edge.Serve(ln)
	defer edge.Close()
	frontURL := "http://" + ln.Addr().String()

	d := &deployer{t: t, sched: sched, image: image}
	d.deploy(ctx, 1, false)
	waitServing(t, frontURL, "v1")

	load := startLoad(frontURL, 4)
	// Twenty changes, each while the load runs: blue-green deploys,
	// rollbacks to the warm release and back, canaries that grow and get
	// promoted, and one release that never becomes healthy.
	ops := 0
	for v := 2; ops < 20; v++ {
		switch {
		case v == 5:
			d.deploy(ctx, v, true) // broken: never healthy, never routed
			ops++
		case v%3 == 0:
			d.deploy(ctx, v, false)
			d.route(ctx, paas.Route{App: app, Release: d.serving, Canary: v, CanaryWeight: 20})
			d.route(ctx, paas.Route{App: app, Release: d.serving, Canary: v, CanaryWeight: 60})
			d.promote(ctx, v)
			ops += 3
		default:
			d.deploy(ctx, v, false)
			d.promote(ctx, v)
			prev := d.previous
			d.route(ctx, paas.Route{App: app, Release: prev}) // roll back to the warm release
			d.route(ctx, paas.Route{App: app, Release: v})    // and forward again
			ops += 3
		}
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(time.Second)
	res := load.stop()

	t.Logf("%d requests during %d changes: %d GET, %d POST; answered by %v", res.total(), ops, res.gets, res.posts, res.releases)
	for _, f := range res.failures {
		t.Errorf("request failed: %s", f)
	}
	if res.total() < 200 {
		t.Errorf("only %d requests ran; the load did not run", res.total())
	}
	if n := res.releases[fmt.Sprintf("v%d", 5)]; n > 0 {
		t.Errorf("the broken release v5 answered %d requests", n)
	}
}

// deployer changes the app as the deploy pipeline does.
type deployer struct {
	t                 *testing.T
	sched             *scheduler.Scheduler
	image             string
	serving, previous int
}

// deploy starts release v beside the serving one; a broken release fails
// its health check and must fail to deploy.
func (d *deployer) deploy(ctx context.Context, v int, broken bool) {
	d.t.Helper()
	dep := paas.Deployment{App: app, Release: v, Image: d.image, HealthPath: "/health",
		Processes: []paas.Process{{Type: "web", Count: 2}}}
	if broken {
		dep.Env = map[string]string{"BROKEN": "1"}
	}
	err := d.sched.Deploy(ctx, dep, io.Discard)
	switch {
	case broken && err == nil:
		d.t.Fatalf("broken v%d deployed", v)
	case !broken && err != nil:
		d.t.Fatalf("deploy v%d: %v", v, err)
	}
}

// promote moves all traffic to v, keeps the release it replaces warm and
// retires the rest.
func (d *deployer) promote(ctx context.Context, v int) {
	d.t.Helper()
	d.route(ctx, paas.Route{App: app, Release: v})
	d.previous, d.serving = d.serving, v
	if err := d.sched.Retire(ctx, app, d.serving, d.previous); err != nil {
		d.t.Fatalf("retire: %v", err)
	}
}

func (d *deployer) route(ctx context.Context, r paas.Route) {
	d.t.Helper()
	if err := d.sched.SetRoute(ctx, r); err != nil {
		d.t.Fatalf("route %+v: %v", r, err)
	}
	time.Sleep(400 * time.Millisecond) // let traffic flow under each route
}

func waitServing(t *testing.T, base, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if body, err := get(base); err == nil && strings.HasPrefix(body, want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not served through the router", want)
}

var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

func newRequest(base, method, body string) *http.Request {
	req, _ := http.NewRequest(method, base+"/echo", strings.NewReader(body))
	req.Host = app + ".localhost"
	return req
}

func get(base string) (string, error) {
	resp, err := client.Do(newRequest(base, http.MethodGet, ""))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	return string(b), err
}

// load is constant traffic from a few clients, each alternating GET and
// POST with a short pause, so that the count stays bounded.
type load struct {
	stopped atomic.Bool
	wg      sync.WaitGroup
	mu      sync.Mutex
	res     loadResult
}

type loadResult struct {
	gets, posts int
	releases    map[string]int
	failures    []string
}

func (r loadResult) total() int { return r.gets + r.posts }

func startLoad(base string, clients int) *load {
	l := &load{res: loadResult{releases: map[string]int{}}}
	for c := range clients {
		l.wg.Go(func() {
			for i := 0; !l.stopped.Load(); i++ {
				l.one(base, c, i)
				time.Sleep(15 * time.Millisecond)
			}
		})
	}
	return l
}

func (l *load) one(base string, c, i int) {
	method, body := http.MethodGet, ""
	if i%2 == 1 {
		method, body = http.MethodPost, fmt.Sprintf("client %d request %d", c, i)
	}
	start := time.Now()
	resp, err := client.Do(newRequest(base, method, body))
	var got string
	if err == nil {
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		got, err = string(b), rerr
		if err == nil && resp.StatusCode/100 != 2 {
			err = fmt.Errorf("status %d: %q", resp.StatusCode, strings.TrimSpace(got))
		}
		if err == nil && !strings.HasSuffix(got, body) {
			err = errors.New("the POST body did not come back")
		}
	}
	var nerr net.Error
	if errors.As(err, &nerr) {
		err = fmt.Errorf("connection error: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if method == http.MethodGet {
		l.res.gets++
	} else {
		l.res.posts++
	}
	if err != nil {
		l.res.failures = append(l.res.failures, fmt.Sprintf("%s after %s: %v", method, time.Since(start).Round(time.Millisecond), err))
		return
	}
	release, _, _ := strings.Cut(got, "\n")
	l.res.releases[release]++
}

func (l *load) stop() loadResult {
	l.stopped.Store(true)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.res
}
