package router

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// errorCode returns the code of a JSON error page.
func errorCode(t *testing.T, body string) string {
	t.Helper()
	var e jsonError
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("body is not a JSON error: %v\n%s", err, body)
	}
	return e.Error.Code
}

func TestRateLimit(t *testing.T) {
	hello, other := newBackend(t, "hello", nil), newBackend(t, "other", nil)
	// A request every 100s: the bucket does not refill during the test.
	r := newTestRouter(t, Options{RateLimit: 0.01, RateBurst: 3})
	r.Update([]paas.Instance{hello.instance("hello"), other.instance("other")})
	waitHealthy(t, r, hello, other)
	front := newFrontend(t, r)

	var got []int
	for range 3 {
		resp, _ := front.get(t, "hello.localhost")
		got = append(got, resp.StatusCode)
	}
	if diff := cmp.Diff([]int{200, 200, 200}, got); diff != "" {
		t.Fatalf("within the burst (-want +got):\n%s", diff)
	}

	tests := []struct {
		name     string
		accept   string
		wantType string
	}{
		{"html", "", "text/html; charset=utf-8"},
		{"json", "application/json", "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := front.do(t, http.MethodGet, "hello.localhost", "/", header("Accept", tc.accept), nil)
			if resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("status = %d, want 429; body %q", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Retry-After"); got != "100" {
				t.Errorf("Retry-After = %q, want \"100\" (one token at 0.01/s)", got)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
			}
			if tc.accept != "" && errorCode(t, body) != codeRateLimited {
				t.Errorf("code = %q, want %q", errorCode(t, body), codeRateLimited)
			}
		})
	}
	t.Run("other app has its own bucket", func(t *testing.T) {
		if resp, body := front.get(t, "other.localhost"); resp.StatusCode != 200 || body != "other" {
			t.Errorf("other: %d %q, want 200", resp.StatusCode, body)
		}
	})
	t.Run("bucket survives an update", func(t *testing.T) {
		r.Update([]paas.Instance{other.instance("other"), hello.instance("hello")})
		if resp, _ := front.get(t, "hello.localhost"); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("status after Update = %d, want 429 still", resp.StatusCode)
		}
	})
}

// blocker is a backend handler that holds each request until released,
// and says when each has arrived.
type blocker struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlocker() *blocker {
	return &blocker{entered: make(chan struct{}, 100), release: make(chan struct{})}
}

func (b *blocker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		io.WriteString(w, "released")
	case <-r.Context().Done():
	}
}

func (b *blocker) open() { b.once.Do(func() { close(b.release) }) }

func TestBulkhead(t *testing.T) {
	blk := newBlocker()
	hello := newBackend(t, "hello", blk.ServeHTTP)
	other := newBackend(t, "other", nil)
	r := newTestRouter(t, Options{MaxConcurrent: 2})
	r.Update([]paas.Instance{hello.instance("hello"), other.instance("other")})
	waitHealthy(t, r, hello, other)
	front := newFrontend(t, r)
	t.Cleanup(blk.open)

	var held []<-chan result
	for range 2 {
		held = append(held, front.start(t, front.newRequest(t, t.Context(), http.MethodGet, "hello.localhost", "/", nil)))
		receive(t, "a held request at the app", blk.entered)
	}

	tests := []struct {
		name       string
		host       string
		accept     string
		wantStatus int
		wantCode   string
	}{
		{"third request is turned away", "hello.localhost", "application/json", 503, codeOverloaded},
		{"as html for browsers", "hello.localhost", "", 503, ""},
		{"other app is not affected", "other.localhost", "", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := front.do(t, http.MethodGet, tc.host, "/", header("Accept", tc.accept), nil)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus != 503 {
				return
			}
			if got := resp.Header.Get("Retry-After"); got != bulkheadRetryAfter {
				t.Errorf("Retry-After = %q, want %q", got, bulkheadRetryAfter)
			}
			if tc.wantCode != "" && errorCode(t, body) != tc.wantCode {
				t.Errorf("code = %q, want %q", errorCode(t, body), tc.wantCode)
			}
			if tc.wantCode == "" && !strings.Contains(body, "already has 2 requests in flight") {
				t.Errorf("page does not explain the 503:\n%s", body)
			}
		})
	}

	blk.open()
	for _, ch := range held {
		if res := receive(t, "a held request", ch); res.Status != 200 {
			t.Errorf("held request: %+v, want 200", res)
		}
	}
	waitFor(t, "bulkhead empty", func() bool { return r.table.Load().lookup("hello").state.inFlight.Load() == 0 })
	if resp, _ := front.get(t, "hello.localhost"); resp.StatusCode != 200 {
		t.Errorf("after the held requests finished: %d, want 200", resp.StatusCode)
	}
}

func TestBulkheadIsReleasedWhenClientHangsUp(t *testing.T) {
	blk := newBlocker()
	hello := newBackend(t, "hello", blk.ServeHTTP)
	r := newTestRouter(t, Options{MaxConcurrent: 1})
	r.Update([]paas.Instance{hello.instance("hello")})
	waitHealthy(t, r, hello)
	front := newFrontend(t, r)
	t.Cleanup(blk.open)

	ctx, cancel := context.WithCancel(t.Context())
	done := front.start(t, front.newRequest(t, ctx, http.MethodGet, "hello.localhost", "/", nil))
	receive(t, "the request at the app", blk.entered)
	cancel()
	receive(t, "the cancelled request", done)
	waitFor(t, "bulkhead empty", func() bool { return r.table.Load().lookup("hello").state.inFlight.Load() == 0 })
}

func TestLimitsOff(t *testing.T) {
	hello := newBackend(t, "hello", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		json.NewEncoder(w).Encode(n)
	})
	r := newTestRouter(t, Options{MaxConcurrent: Unlimited, RateLimit: Unlimited, MaxBodyBytes: Unlimited})
	r.Update([]paas.Instance{hello.instance("hello")})
	waitHealthy(t, r, hello)
	front := newFrontend(t, r)

	for range 20 {
		if resp, body := front.get(t, "hello.localhost"); resp.StatusCode != 200 {
			t.Fatalf("status %d, body %q; want no limit", resp.StatusCode, body)
		}
	}
	big := strings.Repeat("x", DefaultMaxBodyBytes+1)
	if resp, body := front.do(t, http.MethodPost, "hello.localhost", "/", nil, strings.NewReader(big)); resp.StatusCode != 200 || strings.TrimSpace(body) != "67108865" {
		t.Errorf("body over the default limit: %d %q, want 200 and all of it at the app", resp.StatusCode, body)
	}
}
