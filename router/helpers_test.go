package router

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// backend is a real HTTP server standing in for one instance of an app.
// Its /health answers 200 or 500 as healthy says, optionally after gate is
// closed; every other path runs handler, which by default answers with the
// backend's name and remembers the request it got.
type backend struct {
	name       string
	srv        *httptest.Server
	healthy    atomic.Bool
	healthHits atomic.Int64
	gate       chan struct{} // nil: health answers at once

	mu   sync.Mutex
	last *http.Request
}

func newBackend(t *testing.T, name string, handler http.HandlerFunc) *backend {
	t.Helper()
	b := &backend{name: name}
	b.healthy.Store(true)
	if handler == nil {
		handler = b.echo
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", b.health)
	mux.HandleFunc("/", handler)
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backend) health(w http.ResponseWriter, r *http.Request) {
	b.healthHits.Add(1)
	if b.gate != nil {
		select {
		case <-b.gate:
		case <-r.Context().Done():
			return
		}
	}
	if !b.healthy.Load() {
		http.Error(w, "not ready", http.StatusInternalServerError)
		return
	}
	io.WriteString(w, "ok")
}

func (b *backend) echo(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.last = r.Clone(r.Context())
	b.mu.Unlock()
	w.Header().Set("X-Backend", b.name)
	io.WriteString(w, b.name)
}

func (b *backend) lastRequest() *http.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func (b *backend) addr() string { return b.srv.Listener.Addr().String() }

// instance is b registered as an instance of app, health checked on /health.
func (b *backend) instance(app string) paas.Instance {
	return paas.Instance{App: app, Release: 1, AllocID: b.name, Addr: b.addr(), HealthPath: "/health"}
}

// logBuffer collects log output safely from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newTestRouter returns a router that checks every 10ms unless o says
// otherwise, logs at Debug to the test's output, and closes with the test.
func newTestRouter(t *testing.T, o Options) *Router {
	t.Helper()
	return newTestRouterLogging(t, o, t.Output())
}

func newTestRouterLogging(t *testing.T, o Options, w io.Writer) *Router {
	t.Helper()
	if o.HealthInterval == 0 {
		o.HealthInterval = 10 * time.Millisecond
	}
	if o.HealthTimeout == 0 {
		o.HealthTimeout = 5 * time.Second
	}
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := New(o, logger)
	t.Cleanup(r.Close)
	return r
}

// frontend serves r on a loopback port and returns a client for it.
type frontend struct {
	ln     net.Listener
	edge   *Edge
	client func() *http.Client
}

// viaNetHTTP makes newFrontend serve with net/http's server alone, as
// the TLS listener does, instead of the edge. TestMain runs the tests
// both ways, so that every behaviour holds on both paths.
var viaNetHTTP bool

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		viaNetHTTP = true
		code = m.Run()
	}
	os.Exit(code)
}

// newFrontend serves r on the edge, as cmd/paas-router does on its plain
// listener, or with net/http's server when viaNetHTTP is set.
func newFrontend(t *testing.T, r *Router) *frontend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	transport := &http.Transport{}
	client := &http.Client{Transport: transport}
	f := &frontend{ln: ln, client: func() *http.Client { return client }}
	if viaNetHTTP {
		srv := r.NewServer(nil)
		go srv.Serve(ln)
		t.Cleanup(func() {
			transport.CloseIdleConnections()
			srv.Close()
		})
		return f
	}
	f.edge = r.NewEdge(nil)
	go f.edge.Serve(ln)
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		f.edge.Close()
	})
	return f
}

func (f *frontend) addr() string { return f.ln.Addr().String() }

func (f *frontend) url() string { return "http://" + f.addr() }

// dial opens a raw connection to the router, closed with the test, whose
// reads and writes fail after 10s rather than hang the test.
func (f *frontend) dial(t *testing.T) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", f.addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn
}

// start sends req to the router in the background; the result arrives on
// the returned channel once the body is read.
func (f *frontend) start(t *testing.T, req *http.Request) <-chan result {
	t.Helper()
	done := make(chan result, 1)
	go func() {
		resp, err := f.client().Do(req)
		if err != nil {
			done <- result{Err: err.Error()}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		done <- result{Status: resp.StatusCode, Body: string(body), Err: fmt.Sprint(err), Header: resp.Header}
	}()
	return done
}

// result is the outcome of a request sent with start.
type result struct {
	Status int
	Body   string
	Err    string
	Header http.Header
}

// newRequest returns a request for path on the router with the given Host.
func (f *frontend) newRequest(t *testing.T, ctx context.Context, method, host, path string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, f.url()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	return req
}

// receive waits up to 10s for a value from ch.
func receive[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// do sends method to path on the router with the given Host and headers,
// and returns the response with its body read.
func (f *frontend) do(t *testing.T, method, host, path string, header http.Header, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.url()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := f.client().Do(req)
	if err != nil {
		t.Fatalf("%s %s (Host %s): %v", method, path, host, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, string(b)
}

func (f *frontend) get(t *testing.T, host string) (*http.Response, string) {
	t.Helper()
	return f.do(t, http.MethodGet, host, "/", nil, nil)
}

// spread sends n GETs to host and counts the answers by body.
func (f *frontend) spread(t *testing.T, host string, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		resp, body := f.get(t, host)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d, body %q", host, resp.StatusCode, body)
		}
		got[body]++
	}
	return got
}

// waitFor polls cond until it holds, failing the test after 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// targetOf returns the target of r's table at addr, or nil.
func targetOf(r *Router, addr string) *target {
	for inst, t := range r.table.Load().targets {
		if inst.Addr == addr {
			return t
		}
	}
	return nil
}

func waitHealthy(t *testing.T, r *Router, bs ...*backend) {
	t.Helper()
	for _, b := range bs {
		waitFor(t, b.name+" healthy", func() bool {
			tg := targetOf(r, b.addr())
			return tg != nil && tg.isHealthy()
		})
	}
}

func waitState(t *testing.T, r *Router, b *backend, want healthState) {
	t.Helper()
	waitFor(t, b.name+" "+want.String(), func() bool { return stateOf(r, b) == want })
}

func stateOf(r *Router, b *backend) healthState {
	tg := targetOf(r, b.addr())
	if tg == nil {
		return -1
	}
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.state
}

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func countLines(log, substr string) int {
	n := 0
	for line := range strings.Lines(log) {
		if strings.Contains(line, substr) {
			n++
		}
	}
	return n
}
