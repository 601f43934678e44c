package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTraffic follows an app through the router's release strategies:
// blue-green pushes that switch all traffic at once and leave the previous
// release warm, a rollback that only moves traffic, maintenance mode, a
// canary promoted by hand and a failing canary that rolls itself back.
func TestTraffic(t *testing.T) {
	s := newTestStack(t)
	login(t, s)
	dir := newApp(t, s, "blue")
	s.mustPaas(dir, "apps:create", "traffic")
	s.mustGit(dir, "push", "-q", "paas", "main")
	serves(t, s, "traffic", "blue")

	commit(t, s, dir, "www/index.html", "green\n")
	s.mustGit(dir, "push", "-q", "paas", "main")
	// The switch is done when the push returns: every request reaches v2.
	for i := range 20 {
		if code, body := s.get("traffic", "/"); code != 200 || body != "green\n" {
			t.Fatalf("request %d after the push of v2: %d %q", i, code, body)
		}
	}
	if n := liveAllocs(t, s, "paas-traffic-v1"); n == 0 {
		t.Errorf("v1 is not kept warm after v2 took the traffic")
	}

	mustRun(t, "rollback moves traffic back at once", func(t *testing.T) {
		start := time.Now()
		done := make(chan string, 1)
		go func() {
			out, err := s.paas(dir, "releases:rollback")
			if err != nil {
				out = "ERROR " + err.Error() + "\n" + out
			}
			done <- out
		}()
		var back time.Duration
		for back == 0 && time.Since(start) < 20*time.Second {
			if code, body := s.get("traffic", "/"); code == 200 && body == "blue\n" {
				back = time.Since(start)
			}
			time.Sleep(10 * time.Millisecond)
		}
		out := <-done
		if back == 0 {
			t.Fatalf("traffic never went back to v1:\n%s", out)
		}
		t.Logf("rollback: v1 served %s after the command started; the command took %s", back.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
		if !strings.Contains(out, "v3") {
			t.Errorf("rollback output does not name the new release:\n%s", out)
		}
		// The CLI's own start and the API call are in this figure.
		if back > 2*time.Second {
			t.Errorf("traffic took %s to move back; want well under the time of a deploy", back)
		}
		serves(t, s, "traffic", "blue")
	})

	mustRun(t, "maintenance", func(t *testing.T) {
		s.mustPaas(dir, "maintenance:on")
		eventually(t, 5*time.Second, func() string {
			code, body := s.get("traffic", "/")
			if code != http.StatusServiceUnavailable || !strings.Contains(strings.ToLower(body), "maintenance") {
				return fmt.Sprintf("in maintenance: %d %q", code, body)
			}
			return ""
		})
		if out := s.mustPaas(dir, "maintenance"); !strings.Contains(out, "on") {
			t.Errorf("paas maintenance: %q", out)
		}
		s.mustPaas(dir, "maintenance:off")
		serves(t, s, "traffic", "blue")
	})

	// Both canaries serve /cgi-bin/status; the stable release answers it
	// with 200.
	writeExecutable(t, filepath.Join(dir, "www", "cgi-bin", "status"), cgiStatus(200))
	commit(t, s, dir, "app.yml", "deploy:\n  strategy: canary\n  canary:\n    steps: [50, 100]\n    interval: 10m\n")
	commit(t, s, dir, "www/index.html", "canary one\n")

	mustRun(t, "canary promoted by hand", func(t *testing.T) {
		out := s.mustGit(dir, "push", "paas", "main")
		if !strings.Contains(out, "Canary: v4 takes 50% of clients") {
			t.Fatalf("push output does not announce the canary:\n%s", out)
		}
		seen := spread(t, s, "/", 40)
		if seen["canary one\n"] == 0 || seen["blue\n"] == 0 {
			t.Errorf("a 50%% canary: answers %v, want both releases", seen)
		}
		status := s.mustPaas(dir, "canary")
		for _, want := range []string{"v4 takes 50% of clients, v3 the rest", "[50%] → 100%"} {
			if !strings.Contains(status, want) {
				t.Errorf("paas canary lacks %q:\n%s", want, status)
			}
		}
		s.mustPaas(dir, "canary:promote")
		for i := range 10 {
			if code, body := s.get("traffic", "/"); code != 200 || body != "canary one\n" {
				t.Fatalf("request %d after promotion: %d %q", i, code, body)
			}
		}
		if out := s.mustPaas(dir, "releases"); !strings.Contains(out, "v4") {
			t.Errorf("releases after promotion:\n%s", out)
		}
	})

	mustRun(t, "failing canary rolls itself back", func(t *testing.T) {
		writeExecutable(t, filepath.Join(dir, "www", "cgi-bin", "status"), cgiStatus(500))
		commit(t, s, dir, "app.yml", "deploy:\n  strategy: canary\n  canary:\n    steps: [50, 100]\n    interval: 4s\n")
		commit(t, s, dir, "www/index.html", "canary two\n")
		s.mustGit(dir, "push", "-q", "paas", "main")
		// Fresh clients, half of them on the canary, whose /cgi-bin/status
		// fails: the first analysis must roll it back.
		start := time.Now()
		for time.Since(start) < 30*time.Second {
			spread(t, s, "/cgi-bin/status", 10)
			out, _ := s.paas(dir, "releases:info", "v5")
			if strings.Contains(out, "canary rolled back") {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Logf("the failing canary was rolled back %s after its push returned", time.Since(start).Round(100*time.Millisecond))
		out := s.mustPaas(dir, "releases:info", "v5")
		if !strings.Contains(out, "canary rolled back: error rate too high") {
			t.Errorf("v5 was not rolled back for its errors:\n%s", out)
		}
		for i := range 10 {
			if code, body := s.get("traffic", "/"); code != 200 || body != "canary one\n" {
				t.Fatalf("request %d after the rollback of the canary: %d %q", i, code, body)
			}
		}
		if out, err := s.paas(dir, "canary"); err == nil || !strings.Contains(out, "no canary in progress") {
			t.Errorf("paas canary after the rollback: %v\n%s", err, out)
		}
	})
}

// spread sends n requests for path from clients without a canary cookie
// and counts the answers by body.
func spread(t *testing.T, s *stack, path string, n int) map[string]int {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			code, body := s.get("traffic", path)
			mu.Lock()
			seen[body]++
			if code != 200 {
				seen[fmt.Sprintf("status %d", code)]++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return seen
}

// cgiStatus is a busybox httpd CGI script that answers with status code.
func cgiStatus(code int) string {
	return fmt.Sprintf("#!/bin/sh\nprintf 'Status: %d\\r\\nContent-Type: text/plain\\r\\n\\r\\n%d\\n'\n", code, code)
}

func writeExecutable(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, content)
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
}
