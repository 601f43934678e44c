package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// slowCGI answers after half a second, so that a few clients keep requests
// in flight at the router.
const slowCGI = "#!/bin/sh\nsleep 0.5\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow\\n'\n"

// TestAutoscale drives the platform's autoscaler as a user would: the
// sample app pushed with git, a policy set with the paas CLI, bounded load
// on loopback through paas-router, and the counts read back through the
// API, paas ps and paas events. Then scale to zero, and the request that
// wakes the app held by the router and served.
//
// paasd runs with short autoscaling windows (newStack), so the whole test
// takes about a minute and a half.
func TestAutoscale(t *testing.T) {
	s := newTestStack(t)
	login(t, s)
	const app = "scaler"
	dir := slowApp(t, s, "hello, autoscaled")
	s.mustPaas(dir, "apps:create", app)
	s.mustGit(dir, "push", "paas", "main")
	serves(t, s, app, "hello, autoscaled")

	// The push applied app.yml's policy; the CLI's overrides it.
	if out := s.mustPaas(dir, "autoscale"); !strings.Contains(out, "1..3, 4 in flight per instance") || !strings.Contains(out, "app.yml") {
		t.Errorf("paas autoscale does not show the policy app.yml declares:\n%s", out)
	}
	out := s.mustPaas(dir, "autoscale:enable", "web", "--min", "1", "--max", "3", "--target-inflight", "2")
	if !strings.Contains(out, "1..3, 2 in flight per instance") {
		t.Errorf("autoscale:enable output does not state the policy:\n%s", out)
	}
	counts := watchCount(t, s, app)
	defer counts.stop()

	// Six clients keep six slow requests in flight: at two per instance
	// that asks for three, the maximum, and is twice the current count, so
	// the panic window acts at once.
	start := time.Now()
	l := startLoad(s, app, "/cgi-bin/slow", 6, 60*time.Second)
	defer l.stop()
	counts.waitFor(t, 3, 30*time.Second)
	t.Logf("scaled 1 → 3 in %s after the load started", time.Since(start).Round(10*time.Millisecond))
	eventually(t, 20*time.Second, func() string {
		if out, _ := s.paas(dir, "ps"); !strings.Contains(out, "=== web (3)") {
			return "paas ps does not show three web instances:\n" + out
		}
		return ""
	})
	if out := s.mustPaas(dir, "ps"); !strings.Contains(out, "Formation: web=3") {
		t.Errorf("paas ps does not show the autoscaled formation:\n%s", out)
	}
	out = s.mustPaas(dir, "events", "--kind", "scale")
	// The panic window may act on the ramp (1 → 2 → 3) or the full load.
	for _, want := range []string{"autoscaler", "web 1 → ", "→ 3 on v1", "in-flight", "target 2 per instance"} {
		if !strings.Contains(out, want) {
			t.Errorf("paas events lacks %q:\n%s", want, out)
		}
	}

	// Steady load: the count holds.
	time.Sleep(5 * time.Second)
	sent := l.stop()
	t.Logf("load: %d requests answered 200, %d failed", sent, l.failed())
	if l.failed() > 0 {
		t.Errorf("%d requests failed while scaling up", l.failed())
	}

	// Silence: back to the minimum once the stable window and the
	// cooldown have passed, and not below it.
	stopped := time.Now()
	counts.waitFor(t, 1, 45*time.Second)
	t.Logf("scaled back to 1 in %s after the load stopped", time.Since(stopped).Round(10*time.Millisecond))
	time.Sleep(2 * time.Second)
	history := counts.history()
	checkNoFlapping(t, history, 1, 3)

	// The autoscaler's changes are events, not releases.
	if out := s.mustPaas(dir, "releases"); strings.Contains(out, "v2") {
		t.Errorf("autoscaling made a release:\n%s", out)
	}
	out = s.mustPaas(dir, "events", "--kind", "scale")
	if !strings.Contains(out, "→ 1 on v1") {
		t.Errorf("paas events does not show the scale down:\n%s", out)
	}
	if out := s.mustPaas(dir, "autoscale"); !strings.Contains(out, "1..3, 2 in flight per instance") || !strings.Contains(out, "cli") {
		t.Errorf("paas autoscale does not show the policy:\n%s", out)
	}

	// Scale to zero: idle for five seconds, then the next request is held
	// while one instance starts.
	s.mustPaas(dir, "autoscale:enable", "web", "--min", "0", "--max", "3", "--target-inflight", "2", "--idle", "5s")
	counts.waitFor(t, 0, 45*time.Second)
	eventually(t, 20*time.Second, func() string {
		if n := registrations(t, s, app); n > 0 {
			return fmt.Sprintf("Nomad still has %d web instances registered", n)
		}
		return ""
	})
	time.Sleep(time.Second) // for the router to hear of it
	if out := s.mustPaas(dir, "ps"); !strings.Contains(out, "Formation: web=0") {
		t.Errorf("paas ps does not show web at zero:\n%s", out)
	}

	start = time.Now()
	code, body := getWithin(s, app, "/", 40*time.Second)
	took := time.Since(start)
	if code != http.StatusOK || !strings.Contains(body, "hello, autoscaled") {
		t.Fatalf("request to the app at zero: %d %q, want 200 after a cold start", code, body)
	}
	t.Logf("cold start from zero: the held request was answered 200 in %s", took.Round(10*time.Millisecond))
	counts.waitFor(t, 1, 10*time.Second)
	out = s.mustPaas(dir, "events", "--kind", "scale")
	for _, want := range []string{"web 1 → 0 on v1", "web 0 → 1 on v1"} {
		if !strings.Contains(out, want) {
			t.Errorf("paas events lacks %q:\n%s", want, out)
		}
	}
	t.Logf("paas events --kind scale:\n%s", out)
}

// slowApp is the sample app with a CGI script at /cgi-bin/slow that
// answers after half a second, and an app.yml that autoscales web.
func slowApp(t *testing.T, s *stack, greeting string) string {
	dir := newApp(t, s, greeting)
	writeFile(t, filepath.Join(dir, "app.yml"), "processes:\n  web:\n    scale: {min: 1, max: 3, target_inflight: 4}\n")
	if err := os.MkdirAll(filepath.Join(dir, "www", "cgi-bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "cgi-bin", "slow"), []byte(slowCGI), 0o755); err != nil {
		t.Fatal(err)
	}
	dockerfile, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "Dockerfile"), string(dockerfile)+"RUN chmod 755 /www/cgi-bin/slow\n")
	s.mustGit(dir, "add", "-A")
	s.mustGit(dir, "commit", "-q", "-m", "slow page and autoscaling")
	return dir
}

// countWatcher samples the web count of an app through the API, so that a
// test can wait for a count and check every count it went through.
type countWatcher struct {
	s      *stack
	app    string
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	counts []int // each distinct count in turn
}

func watchCount(t *testing.T, s *stack, app string) *countWatcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &countWatcher{s: s, app: app, cancel: cancel, done: make(chan struct{})}
	token := s.adminToken()
	go func() {
		defer close(w.done)
		for ctx.Err() == nil {
			if n, err := webCount(ctx, s, token, app); err == nil {
				w.mu.Lock()
				if len(w.counts) == 0 || w.counts[len(w.counts)-1] != n {
					w.counts = append(w.counts, n)
				}
				w.mu.Unlock()
			}
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(w.stop)
	return w
}

func (w *countWatcher) stop() {
	w.cancel()
	<-w.done
}

func (w *countWatcher) history() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.counts)
}

func (w *countWatcher) current() int {
	h := w.history()
	if len(h) == 0 {
		return -1
	}
	return h[len(h)-1]
}

func (w *countWatcher) waitFor(t *testing.T, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for w.current() != want {
		if time.Now().After(deadline) {
			// What the autoscaler last concluded says why it did not act.
			reasoning, _ := w.s.paas("", "autoscale", "-a", w.app)
			t.Fatalf("gave up after %s: web count is %d, want %d; counts so far %v\npaas autoscale:\n%s",
				within, w.current(), want, w.history(), reasoning)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// webCount reads the web count of app from GET /v1/apps/:app/formation.
func webCount(ctx context.Context, s *stack, token, app string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.apiURL()+"/v1/apps/"+app+"/formation", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("formation: %s", resp.Status)
	}
	var f []paas.Process
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		return 0, err
	}
	for _, p := range f {
		if p.Type == "web" {
			return p.Count, nil
		}
	}
	return 0, fmt.Errorf("formation has no web: %v", f)
}

// checkNoFlapping holds the counts an app went through to one rise and
// one fall, within lo..hi.
func checkNoFlapping(t *testing.T, counts []int, lo, hi int) {
	t.Helper()
	t.Logf("web counts seen: %v", counts)
	falling := false
	for i, n := range counts {
		if n < lo || n > hi {
			t.Errorf("web count %d outside the bounds %d..%d: %v", n, lo, hi, counts)
		}
		if i == 0 {
			continue
		}
		if n < counts[i-1] {
			falling = true
		} else if falling {
			t.Errorf("web count rose again after falling (flapping): %v", counts)
		}
	}
}

// registrations counts the web instances of app in Nomad's service
// catalogue, which the router follows. (Asking the router would wake the
// app.)
func registrations(t *testing.T, s *stack, app string) int {
	t.Helper()
	resp, err := http.Get(s.nomadAddr + "/v1/service/paas-" + app + "-web")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return 0
	}
	var regs []json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&regs); err != nil {
		t.Fatalf("read Nomad services: %v", err)
	}
	return len(regs)
}

// getWithin requests path of app through the router, waiting up to d.
func getWithin(s *stack, app, path string, d time.Duration) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.routerAddr+path, nil)
	req.Host = app + ".localhost:" + s.routerPort
	resp, err := (&http.Client{Timeout: d}).Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// load is a bounded number of clients sending requests through the router
// for a bounded time.
type load struct {
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	mu       sync.Mutex
	ok, errs int
}

func startLoad(s *stack, app, path string, clients int, bound time.Duration) *load {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	l := &load{cancel: cancel}
	for range clients {
		l.wg.Go(func() {
			for ctx.Err() == nil {
				code, _ := s.get(app, path)
				l.count(ctx, code)
			}
		})
	}
	return l
}

// count records one answer; one cut short by the stop does not count.
func (l *load) count(ctx context.Context, code int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case code == http.StatusOK:
		l.ok++
	case ctx.Err() == nil:
		l.errs++
	}
}

// stop ends the load and returns how many requests were answered 200.
func (l *load) stop() int {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ok
}

func (l *load) failed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errs
}
