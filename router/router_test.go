package router

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

func TestRoutesByHost(t *testing.T) {
	hello := newBackend(t, "hello", nil)
	world := newBackend(t, "world", nil)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{hello.instance("hello"), world.instance("world")})
	waitHealthy(t, r, hello, world)
	front := newFrontend(t, r)

	tests := []struct {
		name       string
		host       string
		wantStatus int
		wantBody   string
	}{
		{"plain", "hello.localhost", 200, "hello"},
		{"other app", "world.localhost", 200, "world"},
		{"with port", "hello.localhost:8080", 200, "hello"},
		{"upper case", "HELLO.LocalHost", 200, "hello"},
		{"upper case with port", "WORLD.LOCALHOST:443", 200, "world"},
		{"trailing dot", "hello.localhost.", 200, "hello"},
		{"unknown app", "nope.localhost", 404, ""},
		{"bare domain", "localhost", 404, ""},
		{"nested subdomain", "a.hello.localhost", 404, ""},
		{"other domain", "hello.example.com", 404, ""},
		{"domain as suffix of label", "hellolocalhost", 404, ""},
		{"ip address", "127.0.0.1", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := front.get(t, tc.host)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus == 200 && body != tc.wantBody {
				t.Errorf("body = %q, want %q", body, tc.wantBody)
			}
		})
	}
}

func TestRoutesUnderConfiguredDomain(t *testing.T) {
	hello := newBackend(t, "hello", nil)
	r := newTestRouter(t, Options{Domain: "Apps.Example.COM."})
	r.Update([]paas.Instance{hello.instance("hello")})
	waitHealthy(t, r, hello)
	front := newFrontend(t, r)

	if resp, body := front.get(t, "hello.apps.example.com"); resp.StatusCode != 200 || body != "hello" {
		t.Errorf("hello.apps.example.com: %d %q, want 200 \"hello\"", resp.StatusCode, body)
	}
	if resp, _ := front.get(t, "hello.localhost"); resp.StatusCode != 404 {
		t.Errorf("hello.localhost: %d, want 404 once the domain is not localhost", resp.StatusCode)
	}
}

func TestNotFoundPage(t *testing.T) {
	r := newTestRouter(t, Options{})
	front := newFrontend(t, r)

	tests := []struct {
		name      string
		accept    string
		wantType  string
		wantInMsg string
	}{
		{"browser gets html", "text/html,application/xhtml+xml,*/*;q=0.8", "text/html; charset=utf-8", "no app is deployed at this address"},
		{"no accept gets html", "", "text/html; charset=utf-8", "no app is deployed at this address"},
		{"api client gets json", "application/json", "application/json", "no app is deployed at this address (nope.localhost)"},
		{"json among others", "text/plain;q=0.5, application/json;q=0.9", "application/json", "nope.localhost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := front.do(t, http.MethodGet, "nope.localhost", "/", header("Accept", tc.accept), nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("status = %d, want 404", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
			}
			if resp.Header.Get(requestIDHeader) == "" {
				t.Errorf("no %s on the error page", requestIDHeader)
			}
			if !strings.Contains(body, tc.wantInMsg) {
				t.Errorf("body does not contain %q:\n%s", tc.wantInMsg, body)
			}
		})
	}
}

func TestNotFoundJSONShape(t *testing.T) {
	r := newTestRouter(t, Options{})
	front := newFrontend(t, r)

	_, body := front.do(t, http.MethodGet, "nope.localhost:8080", "/", header("Accept", "application/json"), nil)
	var got jsonError
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	want := jsonError{Error: jsonErrorBody{
		Code:    paas.ENOTFOUND,
		Message: "no app is deployed at this address (nope.localhost); check the app name with: paas apps",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("404 body mismatch (-want +got):\n%s", diff)
	}
}

func TestMaliciousHostIsNotEchoed(t *testing.T) {
	r := newTestRouter(t, Options{})

	tests := []struct {
		name string
		host string
	}{
		{"script as app", "<script>alert(1)</script>.localhost"},
		{"markup after host", `hello.localhost"><img src=x onerror=alert(1)>`},
		{"markup in port", "hello.localhost:80<script>"},
		{"quote and spaces", `nope.localhost" onload="x`},
		{"very long", strings.Repeat("a", 10000) + ".localhost"},
		{"unicode", "héllo.localhost"},
		{"empty", ""},
	}
	for _, tc := range tests {
		for _, accept := range []string{"text/html", "application/json"} {
			t.Run(tc.name+"/"+accept, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Host = tc.host
				req.Header.Set("Accept", accept)
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)

				if rec.Code != http.StatusNotFound {
					t.Errorf("status = %d, want 404", rec.Code)
				}
				body := rec.Body.String()
				for _, bad := range []string{"<script", "<img", "onerror", "onload", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} {
					if strings.Contains(body, bad) {
						t.Errorf("body echoes %q from the Host header:\n%s", bad, body)
					}
				}
			})
		}
	}
}

func TestNoHealthyInstance(t *testing.T) {
	sick := newBackend(t, "sick", nil)
	sick.healthy.Store(false)
	r := newTestRouter(t, Options{HealthInterval: 200 * time.Millisecond, HealthyThreshold: 3})
	r.Update([]paas.Instance{sick.instance("hello")})
	waitState(t, r, sick, stateUnhealthy)
	front := newFrontend(t, r)

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
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status = %d, want 503; body %q", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want \"1\" (3 checks of 200ms, rounded up)", got)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
			}
			if !strings.Contains(body, "app hello has no healthy instance right now") {
				t.Errorf("body does not explain the 503:\n%s", body)
			}
		})
	}
}

func TestRoundRobin(t *testing.T) {
	a, b, c := newBackend(t, "a", nil), newBackend(t, "b", nil), newBackend(t, "c", nil)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{a.instance("hello"), b.instance("hello"), c.instance("hello")})
	waitHealthy(t, r, a, b, c)
	front := newFrontend(t, r)

	got := front.spread(t, "hello.localhost", 30)
	if diff := cmp.Diff(map[string]int{"a": 10, "b": 10, "c": 10}, got); diff != "" {
		t.Errorf("30 requests over 3 backends (-want +got):\n%s", diff)
	}
}

func TestFailingHealthCheckTakesTargetOutAndBack(t *testing.T) {
	a, b := newBackend(t, "a", nil), newBackend(t, "b", nil)
	var logs logBuffer
	r := newTestRouterLogging(t, Options{}, &logs)
	r.Update([]paas.Instance{a.instance("hello"), b.instance("hello")})
	waitHealthy(t, r, a, b)
	front := newFrontend(t, r)

	b.healthy.Store(false)
	waitState(t, r, b, stateUnhealthy)
	if diff := cmp.Diff(map[string]int{"a": 10}, front.spread(t, "hello.localhost", 10)); diff != "" {
		t.Errorf("while b fails its checks (-want +got):\n%s", diff)
	}

	b.healthy.Store(true)
	waitState(t, r, b, stateHealthy)
	if diff := cmp.Diff(map[string]int{"a": 5, "b": 5}, front.spread(t, "hello.localhost", 10)); diff != "" {
		t.Errorf("once b passes again (-want +got):\n%s", diff)
	}

	wantLine := "msg=\"target unhealthy\" app=hello release=1 addr=" + b.addr() + " alloc=b"
	if !strings.Contains(logs.String(), wantLine) {
		t.Errorf("log lacks %q:\n%s", wantLine, logs.String())
	}
}

func TestNewTargetGetsTrafficOnlyAfterFirstPassingCheck(t *testing.T) {
	a := newBackend(t, "a", nil)
	late := newBackend(t, "late", nil)
	late.gate = make(chan struct{})
	// An interval of an hour shows that the first check runs on discovery,
	// not one interval later.
	r := newTestRouter(t, Options{HealthInterval: time.Hour})
	r.Update([]paas.Instance{a.instance("hello")})
	waitHealthy(t, r, a)
	front := newFrontend(t, r)

	r.Update([]paas.Instance{a.instance("hello"), late.instance("hello")})
	waitFor(t, "first check of late", func() bool { return late.healthHits.Load() == 1 })
	if diff := cmp.Diff(map[string]int{"a": 6}, front.spread(t, "hello.localhost", 6)); diff != "" {
		t.Errorf("before late's first check answers (-want +got):\n%s", diff)
	}

	close(late.gate)
	waitHealthy(t, r, late)
	if diff := cmp.Diff(map[string]int{"a": 3, "late": 3}, front.spread(t, "hello.localhost", 6)); diff != "" {
		t.Errorf("after late's first check passed (-want +got):\n%s", diff)
	}
}

func TestNewAppWaitsForFirstCheck(t *testing.T) {
	late := newBackend(t, "late", nil)
	late.gate = make(chan struct{})
	r := newTestRouter(t, Options{HealthInterval: time.Hour})
	front := newFrontend(t, r)

	r.Update([]paas.Instance{late.instance("hello")})
	waitFor(t, "first check of late", func() bool { return late.healthHits.Load() == 1 })
	if resp, _ := front.get(t, "hello.localhost"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status before the first check = %d, want 503", resp.StatusCode)
	}
	close(late.gate)
	waitHealthy(t, r, late)
	if resp, body := front.get(t, "hello.localhost"); resp.StatusCode != 200 || body != "late" {
		t.Errorf("after the first check: %d %q, want 200 \"late\"", resp.StatusCode, body)
	}
}

func TestUpdateWithSameSetKeepsHealth(t *testing.T) {
	a := newBackend(t, "a", nil)
	other := newBackend(t, "other", nil)
	// With checks an hour apart, only a re-created target would be checked
	// again; a's checks fail from now on, so that would also take it out.
	r := newTestRouter(t, Options{HealthInterval: time.Hour})
	r.Update([]paas.Instance{a.instance("hello")})
	waitHealthy(t, r, a)
	a.healthy.Store(false)
	front := newFrontend(t, r)

	updates := []struct {
		name      string
		instances []paas.Instance
	}{
		{"same set", []paas.Instance{a.instance("hello")}},
		{"listed twice", []paas.Instance{a.instance("hello"), a.instance("hello")}},
		{"health path defaulted", []paas.Instance{withHealthPath(a.instance("hello"), "/health")}},
		{"another app added", []paas.Instance{other.instance("other"), a.instance("hello")}},
	}
	for _, u := range updates {
		t.Run(u.name, func(t *testing.T) {
			r.Update(u.instances)
			if resp, body := front.get(t, "hello.localhost"); resp.StatusCode != 200 || body != "a" {
				t.Errorf("after Update: %d %q, want 200 \"a\"", resp.StatusCode, body)
			}
			if got := a.healthHits.Load(); got != 1 {
				t.Errorf("a was checked %d times, want 1: its target was re-created", got)
			}
		})
	}

	t.Run("new alloc at same address is a new target", func(t *testing.T) {
		moved := a.instance("hello")
		moved.AllocID = "a-2"
		r.Update([]paas.Instance{moved})
		waitState(t, r, a, stateUnhealthy)
		if resp, _ := front.get(t, "hello.localhost"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status = %d, want 503 until the new alloc passes a check", resp.StatusCode)
		}
	})
}

func withHealthPath(inst paas.Instance, path string) paas.Instance {
	inst.HealthPath = path
	return inst
}

func TestRemovedTargetStopsTrafficButFinishesInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	old := newBackend(t, "old", nil)
	old.srv.Config.Handler.(*http.ServeMux).HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.Write([]byte("old finished"))
	})
	next := newBackend(t, "next", nil)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{old.instance("hello")})
	waitHealthy(t, r, old)
	front := newFrontend(t, r)

	type result struct {
		Status int
		Body   string
		Err    string
	}
	inFlight := make(chan result, 1)
	go func() {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, front.url()+"/slow", nil)
		req.Host = "hello.localhost"
		resp, err := front.client().Do(req)
		if err != nil {
			inFlight <- result{Err: err.Error()}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		inFlight <- result{Status: resp.StatusCode, Body: string(body), Err: fmt.Sprint(err)}
	}()
	<-entered

	r.Update([]paas.Instance{next.instance("hello")})
	waitHealthy(t, r, next)
	if diff := cmp.Diff(map[string]int{"next": 5}, front.spread(t, "hello.localhost", 5)); diff != "" {
		t.Errorf("after old was removed (-want +got):\n%s", diff)
	}

	close(release)
	if diff := cmp.Diff(result{200, "old finished", "<nil>"}, <-inFlight); diff != "" {
		t.Errorf("request in flight on the removed target (-want +got):\n%s", diff)
	}

	assertNoMoreChecks(t, old)
}

// assertNoMoreChecks fails if b's health endpoint is hit during ten check
// intervals. It first lets a check that was cancelled on the way, but
// already sent, reach b.
func assertNoMoreChecks(t *testing.T, b *backend) {
	t.Helper()
	time.Sleep(50 * time.Millisecond)
	hits := b.healthHits.Load()
	time.Sleep(100 * time.Millisecond)
	if got := b.healthHits.Load(); got != hits {
		t.Errorf("%s was checked %d more times after its checks were stopped", b.name, got-hits)
	}
}

func TestConnectionRefused(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		body       string
		wantStatus []int // of two requests, in order of status
	}{
		{"get is retried on a healthy target", http.MethodGet, "", []int{200, 200}},
		{"head is retried on a healthy target", http.MethodHead, "", []int{200, 200}},
		{"post is not retried", http.MethodPost, "x=1", []int{200, 502}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up, down := newBackend(t, "up", nil), newBackend(t, "down", nil)
			var logs logBuffer
			// Checks an hour apart: only the failed request can take down out.
			r := newTestRouterLogging(t, Options{HealthInterval: time.Hour}, &logs)
			r.Update([]paas.Instance{up.instance("hello"), down.instance("hello")})
			waitHealthy(t, r, up, down)
			front := newFrontend(t, r)
			down.srv.Close()

			var got []int
			for range 2 {
				resp, _ := front.do(t, tc.method, "hello.localhost", "/", nil, strings.NewReader(tc.body))
				got = append(got, resp.StatusCode)
			}
			if got[0] > got[1] {
				got[0], got[1] = got[1], got[0]
			}
			if diff := cmp.Diff(tc.wantStatus, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			if s := stateOf(r, down); s != stateUnhealthy {
				t.Errorf("down is %s, want unhealthy after a refused connection", s)
			}
			if !strings.Contains(logs.String(), "connection refused") {
				t.Errorf("log does not say why down left rotation:\n%s", logs.String())
			}
			if diff := cmp.Diff(map[string]int{"up": 4}, front.spread(t, "hello.localhost", 4)); diff != "" {
				t.Errorf("after down was ejected (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConnectionRefusedWithoutOtherTarget(t *testing.T) {
	down := newBackend(t, "down", nil)
	r := newTestRouter(t, Options{HealthInterval: time.Hour})
	r.Update([]paas.Instance{down.instance("hello")})
	waitHealthy(t, r, down)
	front := newFrontend(t, r)
	down.srv.Close()

	if resp, body := front.get(t, "hello.localhost"); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status = %d, want 502; body %q", resp.StatusCode, body)
	}
	if resp, _ := front.get(t, "hello.localhost"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("next status = %d, want 503 once the only target is out", resp.StatusCode)
	}
}

func TestUpstreamErrors(t *testing.T) {
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		wantCode int
		wantJSON string
	}{
		{
			name: "connection dropped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
			},
			wantCode: http.StatusBadGateway,
			wantJSON: codeBadGateway,
		},
		{
			name: "headers too slow",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			},
			wantCode: http.StatusGatewayTimeout,
			wantJSON: codeGatewayTimeout,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t, "b", tc.handler)
			r := newTestRouter(t, Options{ResponseHeaderTimeout: 100 * time.Millisecond})
			r.Update([]paas.Instance{b.instance("hello")})
			waitHealthy(t, r, b)
			front := newFrontend(t, r)

			resp, body := front.do(t, http.MethodGet, "hello.localhost", "/", header("Accept", "application/json"), nil)
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("status = %d, want %d; body %q", resp.StatusCode, tc.wantCode, body)
			}
			var got jsonError
			if err := json.Unmarshal([]byte(body), &got); err != nil || got.Error.Code != tc.wantJSON {
				t.Errorf("body = %q (%v), want code %q", body, err, tc.wantJSON)
			}
			if s := stateOf(r, b); s != stateHealthy {
				t.Errorf("b is %s: an app error must not eject a target that passes its checks", s)
			}
		})
	}
}

func TestForwardedHeaders(t *testing.T) {
	b := newBackend(t, "b", nil)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)
	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

	type seen struct {
		Host, ForwardedFor, ForwardedProto, ForwardedHost, Forwarded, RealIP, Traceparent string
	}
	tests := []struct {
		name      string
		header    http.Header
		host      string
		wantID    string // "" for a generated one
		wantExtra seen
	}{
		{"request id generated", header("Traceparent", traceparent), "Hello.Localhost:8080", "", seen{}},
		{"sane request id kept", header("X-Request-Id", "req-123_abc.def:1"), "hello.localhost", "req-123_abc.def:1", seen{}},
		{"insane request id replaced", header("X-Request-Id", "bad id <script>"), "hello.localhost", "", seen{}},
		{"too long request id replaced", header("X-Request-Id", strings.Repeat("x", 201)), "hello.localhost", "", seen{}},
		{"client forwarded headers dropped", header("X-Forwarded-For", "203.0.113.9", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"), "hello.localhost", "", seen{}},
		{"forged forwarded for with many hops", http.Header{"X-Forwarded-For": {"203.0.113.9, 10.0.0.1", "198.51.100.7"}}, "hello.localhost", "", seen{}},
		{"standard forwarded header dropped", header("Forwarded", "for=203.0.113.9;proto=https;host=evil.example"), "hello.localhost", "", seen{}},
		{"real ip header dropped", header("X-Real-Ip", "203.0.113.9"), "hello.localhost", "", seen{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := front.do(t, http.MethodGet, tc.host, "/", tc.header, nil)
			got := b.lastRequest()
			if got == nil {
				t.Fatal("backend got no request")
			}
			want := seen{
				Host:           tc.host,
				ForwardedFor:   "127.0.0.1",
				ForwardedProto: "http",
				ForwardedHost:  tc.host,
				Traceparent:    tc.header.Get("Traceparent"),
			}
			gotSeen := seen{
				Host:           got.Host,
				ForwardedFor:   strings.Join(got.Header.Values("X-Forwarded-For"), ","),
				ForwardedProto: got.Header.Get("X-Forwarded-Proto"),
				ForwardedHost:  got.Header.Get("X-Forwarded-Host"),
				Forwarded:      got.Header.Get("Forwarded"),
				RealIP:         got.Header.Get("X-Real-Ip"),
				Traceparent:    got.Header.Get("Traceparent"),
			}
			if diff := cmp.Diff(want, gotSeen); diff != "" {
				t.Errorf("what the app saw (-want +got):\n%s", diff)
			}
			id := got.Header.Get(requestIDHeader)
			switch {
			case tc.wantID != "" && id != tc.wantID:
				t.Errorf("X-Request-Id = %q, want %q passed through", id, tc.wantID)
			case tc.wantID == "" && !isUUID(id):
				t.Errorf("X-Request-Id = %q, want a generated UUID", id)
			}
			if echoed := resp.Header.Get(requestIDHeader); echoed != id {
				t.Errorf("X-Request-Id to client = %q, want %q as the app saw", echoed, id)
			}
		})
	}
}

func isUUID(s string) bool {
	if len(s) != 36 || s[14] != '4' {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
	}
	return true
}

func TestStreamingResponseIsFlushed(t *testing.T) {
	release := make(chan struct{})
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("first\n"))
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Write([]byte("second\n"))
	})
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, front.url()+"/", nil)
	req.Host = "hello.localhost"
	resp, err := front.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	buf := make([]byte, len("first\n"))
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatalf("first chunk did not arrive before the app finished: %v", err)
	}
	if string(buf) != "first\n" {
		t.Fatalf("first chunk = %q", buf)
	}
	close(release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != "second\n" {
		t.Errorf("rest = %q, %v; want \"second\\n\"", rest, err)
	}
}

func TestCloseStopsHealthChecks(t *testing.T) {
	b := newBackend(t, "b", nil)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)

	r.Close()
	assertNoMoreChecks(t, b)

	fresh := newBackend(t, "fresh", nil)
	r.Update([]paas.Instance{fresh.instance("hello")})
	time.Sleep(50 * time.Millisecond)
	if got := fresh.healthHits.Load(); got != 0 {
		t.Errorf("Update after Close started %d checks", got)
	}
	r.Close() // twice is fine
}

func TestUpdateIgnoresUnusableInstances(t *testing.T) {
	good := newBackend(t, "good", nil)
	var logs logBuffer
	r := newTestRouterLogging(t, Options{}, &logs)
	bad := []paas.Instance{
		{App: "Bad_App", Addr: good.addr()},
		{App: "hello", Addr: "no-port"},
		{App: "hello", Addr: "127.0.0.1:0"},
		{App: "hello", Addr: good.addr(), HealthPath: "health"},
		{App: "hello", Addr: good.addr(), HealthPath: "//evil.example/"},
	}
	instances := append([]paas.Instance{good.instance("hello")}, bad...)
	r.Update(instances)
	r.Update(instances)
	waitHealthy(t, r, good)

	if got := len(r.table.Load().targets); got != 1 {
		t.Errorf("table has %d targets, want only the good one", got)
	}
	if got := countLines(logs.String(), "instance ignored"); got != len(bad) {
		t.Errorf("logged %d ignored instances over two Updates, want %d (each once):\n%s", got, len(bad), logs.String())
	}
}

func TestProtocolUpgradeIsProxied(t *testing.T) {
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "echo" {
			http.Error(w, "upgrade required", http.StatusUpgradeRequired)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
		brw.Flush()
		line, _ := brw.ReadString('\n')
		brw.WriteString("echo: " + line)
		brw.Flush()
	})
	// The router logs at Debug, so the upgrade goes through its status
	// recorder and must still reach the connection underneath.
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	conn, err := net.DialTimeout("tcp", front.addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: hello.localhost\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read upgrade response: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status = %d, want 101", resp.StatusCode)
	}
	io.WriteString(conn, "ping\n")
	if line, err := br.ReadString('\n'); err != nil || line != "echo: ping\n" {
		t.Errorf("after upgrade read %q, %v; want \"echo: ping\\n\"", line, err)
	}
}
