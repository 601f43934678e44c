package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/nomadtest"
)

// newTestScheduler returns a Scheduler on the shared test agent, logging
// to the test log.
func newTestScheduler(t testing.TB, opts Options) *Scheduler {
	t.Helper()
	opts.Address = nomadtest.Start(t)
	if opts.Runner == "" {
		opts.Runner = nomadtest.Runner(t)
	}
	s, err := New(opts, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testLogger writes slog records to the test log until the test ends.
func testLogger(t testing.TB) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct {
	mu     sync.Mutex
	t      testing.TB
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

// progressLog collects progress lines and echoes them to the test log.
type progressLog struct {
	t  *testing.T
	mu sync.Mutex
	sb strings.Builder
}

func (p *progressLog) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.t.Logf("progress: %s", strings.TrimSpace(string(b)))
	return p.sb.Write(b)
}

func (p *progressLog) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sb.String()
}

// webImage builds an image of a busybox httpd that serves body at / and
// returns its tag, which is unique to the test.
func webImage(t testing.TB, body string) string {
	t.Helper()
	base := nomadtest.Busybox(t)
	tag := fmt.Sprintf("paas-test/web:%d", rand.Uint64())
	nomadtest.BuildImage(t, tag,
		// Like a well-behaved app, exit on SIGTERM (PID 1 has no default
		// handler, so plain httpd would wait out the kill timeout).
		"FROM "+base+"\nCOPY index.html /www/index.html\n"+
			"CMD trap 'exit 0' TERM; httpd -f -p $PORT -h /www & wait\n",
		map[string]string{"index.html": body})
	return tag
}

// crashImage builds an image that prints boom and exits with code 1.
func crashImage(t testing.TB) string {
	t.Helper()
	base := nomadtest.Busybox(t)
	tag := fmt.Sprintf("paas-test/crash:%d", rand.Uint64())
	nomadtest.BuildImage(t, tag, "FROM "+base+"\nCMD echo boom; exit 1\n", nil)
	return tag
}

// webDeployment is one web instance of image.
func webDeployment(app string, release int, image string) paas.Deployment {
	return paas.Deployment{
		App: app, Release: release, Image: image,
		Processes: []paas.Process{{Type: "web", Count: 1}},
		Env:       map[string]string{"GREETING": "secret-value"},
	}
}

// destroyAtEnd removes every job of app when the test ends.
func destroyAtEnd(t testing.TB, s *Scheduler, app string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Destroy(ctx, app); err != nil {
			t.Errorf("destroy %s: %v", app, err)
		}
	})
}

// instancesOf returns the instances of app now in the catalogue.
func instancesOf(t *testing.T, s *Scheduler, app string) []paas.Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all, err := s.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []paas.Instance
	for _, in := range all {
		if in.App == app {
			out = append(out, in)
		}
	}
	return out
}

// get returns the body of GET http://addr/.
func get(t *testing.T, addr string) string {
	t.Helper()
	body, err := tryGet(addr)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// tryGet returns the body of GET http://addr/ or why there is none.
func tryGet(addr string) (string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s %v", addr, resp.Status, err)
	}
	return string(b), nil
}

// watch runs WatchInstances in the background and records every set it
// reports.
type watch struct {
	cancel  context.CancelFunc
	done    chan error
	once    sync.Once
	updates chan []paas.Instance
	mu      sync.Mutex
	sets    [][]paas.Instance
}

func startWatch(t *testing.T, s *Scheduler) *watch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watch{cancel: cancel, done: make(chan error, 1), updates: make(chan []paas.Instance, 100)}
	go func() {
		w.done <- s.WatchInstances(ctx, func(in []paas.Instance) {
			w.mu.Lock()
			w.sets = append(w.sets, in)
			w.mu.Unlock()
			w.updates <- in
		})
	}()
	t.Cleanup(func() { w.stop(t) })
	return w
}

// waitFor returns the first reported set that satisfies ok.
func (w *watch) waitFor(t *testing.T, what string, ok func([]paas.Instance) bool) []paas.Instance {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case in := <-w.updates:
			if ok(in) {
				return in
			}
		case <-timeout:
			t.Fatalf("watch did not report %s; sets so far: %+v", what, w.all())
		}
	}
}

// stop ends the watch and checks that WatchInstances returned nil.
func (w *watch) stop(t *testing.T) {
	w.once.Do(func() {
		w.cancel()
		select {
		case err := <-w.done:
			if err != nil {
				t.Errorf("WatchInstances returned %v, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("WatchInstances did not return after its context ended")
		}
	})
}

func (w *watch) all() [][]paas.Instance {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.sets)
}

// releasesOf lists the releases of app's instances in a set, e.g. "1,2".
func releasesOf(in []paas.Instance, app string) string {
	var rels []string
	for _, i := range in {
		if i.App == app {
			rels = append(rels, strconv.Itoa(i.Release))
		}
	}
	return strings.Join(rels, ",")
}
