package router

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// release returns b registered as an instance of release v of app.
func (b *backend) release(app string, v int) paas.Instance {
	inst := b.instance(app)
	inst.Release = v
	return inst
}

func TestRouteSwitchesReleasesAtOnce(t *testing.T) {
	r := newTestRouter(t, Options{})
	blue, green := newBackend(t, "blue", nil), newBackend(t, "green", nil)
	r.Update([]paas.Instance{blue.release("hello", 1), green.release("hello", 2)})
	waitHealthy(t, r, blue, green)
	f := newFrontend(t, r)

	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 1}})
	if got := f.spread(t, "hello.localhost", 10); got["blue"] != 10 {
		t.Fatalf("route to v1: answers %v, want only blue", got)
	}
	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 2}})
	if got := f.spread(t, "hello.localhost", 10); got["green"] != 10 {
		t.Fatalf("route to v2: answers %v, want only green", got)
	}
	// Without a route every healthy instance serves.
	r.UpdateRoutes(nil)
	if got := f.spread(t, "hello.localhost", 10); got["green"] != 5 || got["blue"] != 5 {
		t.Fatalf("no route: answers %v, want both", got)
	}
}

func TestRouteFallsBackWhileNewReleaseIsUnhealthy(t *testing.T) {
	r := newTestRouter(t, Options{})
	blue, green := newBackend(t, "blue", nil), newBackend(t, "green", nil)
	green.healthy.Store(false)
	r.Update([]paas.Instance{blue.release("hello", 1), green.release("hello", 2)})
	waitHealthy(t, r, blue)
	waitState(t, r, green, stateUnhealthy)
	f := newFrontend(t, r)
	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 2}})
	if got := f.spread(t, "hello.localhost", 6); got["blue"] != 6 {
		t.Fatalf("v2 not healthy yet: answers %v, want blue to keep serving", got)
	}
	green.healthy.Store(true)
	waitHealthy(t, r, green)
	if got := f.spread(t, "hello.localhost", 6); got["green"] != 6 {
		t.Fatalf("v2 healthy: answers %v, want green only", got)
	}
}

func TestCanarySplitsByWeightAndSticks(t *testing.T) {
	r := newTestRouter(t, Options{})
	stable, canary := newBackend(t, "stable", nil), newBackend(t, "canary", nil)
	r.Update([]paas.Instance{stable.release("hello", 1), canary.release("hello", 2)})
	waitHealthy(t, r, stable, canary)
	f := newFrontend(t, r)
	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 1, Canary: 2, CanaryWeight: 30}})

	// New clients (no cookie) split about 30/70.
	got := map[string]int{}
	buckets := map[string]string{}
	for range 400 {
		resp, body := f.get(t, "hello.localhost")
		got[body]++
		for _, c := range resp.Cookies() {
			if c.Name == canaryCookie {
				buckets[c.Value] = body
			}
		}
	}
	if got["canary"] < 70 || got["canary"] > 180 {
		t.Errorf("canary got %d of 400 requests at 30%%", got["canary"])
	}
	// A client that has a bucket stays on its side.
	for bucket, first := range buckets {
		for range 3 {
			_, body := f.do(t, http.MethodGet, "hello.localhost", "/", header("Cookie", canaryCookie+"="+bucket), nil)
			if body != first {
				t.Fatalf("client with bucket %s moved from %s to %s", bucket, first, body)
			}
		}
	}
	// Raising the weight moves clients to the canary, never back.
	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 1, Canary: 2, CanaryWeight: 100}})
	for bucket := range buckets {
		if _, body := f.do(t, http.MethodGet, "hello.localhost", "/", header("Cookie", canaryCookie+"="+bucket), nil); body != "canary" {
			t.Fatalf("at 100%% bucket %s went to %s", bucket, body)
		}
	}
	// A forged bucket is ignored and replaced.
	resp, _ := f.do(t, http.MethodGet, "hello.localhost", "/", header("Cookie", canaryCookie+"=-5"), nil)
	if !strings.Contains(resp.Header.Get("Set-Cookie"), canaryCookie+"=") {
		t.Errorf("bad bucket not replaced: Set-Cookie %q", resp.Header.Get("Set-Cookie"))
	}
}

func TestRouteDrainClosesStreamsOfOldRelease(t *testing.T) {
	r := newTestRouter(t, Options{DrainTimeout: 200 * time.Millisecond})
	streaming := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, req *http.Request) {
			if req.URL.Path != "/events" {
				io.WriteString(w, name)
				return
			}
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			for {
				fmt.Fprintf(w, "data: %s\n\n", name)
				w.(http.Flusher).Flush()
				select {
				case <-req.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
	}
	blue, green := newBackend(t, "blue", streaming("blue")), newBackend(t, "green", streaming("green"))
	r.Update([]paas.Instance{blue.release("hello", 1), green.release("hello", 2)})
	waitHealthy(t, r, blue, green)
	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 1}})
	f := newFrontend(t, r)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := f.newRequest(t, ctx, http.MethodGet, "hello.localhost", "/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	if !lines.Scan() || lines.Text() != "data: blue" {
		t.Fatalf("first event %q", lines.Text())
	}
	switched := time.Now()
	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 2}})
	for lines.Scan() {
	}
	took := time.Since(switched)
	if took < 150*time.Millisecond || took > 3*time.Second {
		t.Errorf("stream on the old release closed %s after the switch, want about the drain timeout (200ms)", took)
	}
	// New requests go to the new release.
	if _, body := f.do(t, http.MethodGet, "hello.localhost", "/x", nil, nil); body != "green" {
		t.Errorf("after the switch: %q", body)
	}
}

func TestRouteMaintenanceAndSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "table.json")
	r := newTestRouter(t, Options{StateFile: path})
	b := newBackend(t, "b", nil)
	r.Update([]paas.Instance{b.release("hello", 3)})
	waitHealthy(t, r, b)
	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 3, Maintenance: true}, {App: "BAD"}})
	f := newFrontend(t, r)
	if resp, _ := f.get(t, "hello.localhost"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("maintenance: status %d", resp.StatusCode)
	}
	s, err := ReadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Routes) != 1 || s.Routes[0] != (paas.Route{App: "hello", Release: 3, Maintenance: true}) {
		t.Errorf("snapshot routes %+v", s.Routes)
	}
	r2 := newTestRouter(t, Options{})
	r2.Restore(s)
	if got := r2.Routes()["hello"]; got.Release != 3 || !got.Maintenance {
		t.Errorf("restored route %+v", got)
	}
}
