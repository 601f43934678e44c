package router

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// recorder is a backend handler that remembers every request that reached
// it, with its body.
type recorder struct {
	seen chan string // "METHOD path body"
}

func newRecorder() *recorder { return &recorder{seen: make(chan string, 100)} }

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	s := fmt.Sprintf("%s %s %q cl=%d te=%v", r.Method, r.URL.Path, body, r.ContentLength, r.TransferEncoding)
	if err != nil {
		s += " body error"
	}
	rc.seen <- s
	io.WriteString(w, "ok")
}

func (rc *recorder) requests() []string {
	var got []string
	for {
		select {
		case s := <-rc.seen:
			got = append(got, s)
		default:
			return got
		}
	}
}

func TestMalformedFramingIsRejected(t *testing.T) {
	app := newRecorder()
	b := newBackend(t, "b", app.ServeHTTP)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	const head = "POST / HTTP/1.1\r\nHost: hello.localhost\r\n"
	tests := []struct {
		name       string
		raw        string
		wantStatus int
	}{
		{"differing content lengths", head + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
		{"content length list", head + "Content-Length: 5, 6\r\n\r\nhello!", 400},
		{"negative content length", head + "Content-Length: -1\r\n\r\n", 400},
		{"content length with sign", head + "Content-Length: +5\r\n\r\nhello", 400},
		{"two transfer encodings", head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501},
		{"transfer encoding list", head + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
		{"transfer encoding not chunked", head + "Transfer-Encoding: identity\r\n\r\n", 501},
		{"space before colon", head + "Content-Length : 5\r\n\r\nhello", 400},
		{"header name with space", head + "Content Length: 5\r\n\r\nhello", 400},
		{"nul in header value", head + "X-A: a\x00b\r\nContent-Length: 0\r\n\r\n", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := front.dial(t)
			io.WriteString(conn, tc.raw)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if got := app.requests(); len(got) != 0 {
				t.Errorf("the app got %q; want nothing", got)
			}
		})
	}
}

// Go's server resolves a request with both Content-Length and a chunked
// Transfer-Encoding as RFC 9112 says an intermediary must: it drops the
// Content-Length and reads the body as chunked. The app receives the body
// re-framed by the router (chunked, without the client's Content-Length),
// so the two cannot disagree on where a request ends, and nothing a client
// hides in a body becomes a request of its own.
func TestContentLengthWithChunkedCannotSmuggle(t *testing.T) {
	app := newRecorder()
	b := newBackend(t, "b", app.ServeHTTP)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	smuggled := "GET /admin HTTP/1.1\r\nHost: hello.localhost\r\n\r\n"
	tests := []struct {
		name    string
		raw     string
		wantApp []string
	}{
		{
			// The chunked body holds a whole request; a front end that
			// trusted Content-Length would forward it as a second one.
			name:    "request hidden in a chunked body",
			raw:     fmt.Sprintf("POST / HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled),
			wantApp: []string{fmt.Sprintf("POST / %q cl=-1 te=[chunked]", smuggled)},
		},
		{
			name:    "content length larger than the chunked body",
			raw:     "POST / HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			wantApp: []string{`POST / "hello" cl=-1 te=[chunked]`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := front.dial(t)
			io.WriteString(conn, tc.raw)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			resp.Body.Close()
			time.Sleep(50 * time.Millisecond) // let a second request, if any, arrive
			got := app.requests()
			if strings.Join(got, "\n") != strings.Join(tc.wantApp, "\n") {
				t.Errorf("the app got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.wantApp, "\n"))
			}
		})
	}
}

// A body that breaks its chunked framing half way is found only once the
// request is on its way to the app, since the router streams bodies: the
// app sees its read of the body fail, never a clean end, and the client
// gets a 400.
func TestMalformedChunkedBody(t *testing.T) {
	app := newRecorder()
	b := newBackend(t, "b", app.ServeHTTP)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	const head = "POST / HTTP/1.1\r\nHost: hello.localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
	tests := []struct {
		name string
		body string
	}{
		{"bare line feeds", "5\nhello\n0\n\n"},
		{"size not hex", "zz\r\nhello\r\n0\r\n\r\n"},
		{"chunk longer than its size", "2\r\nhello\r\n0\r\n\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := front.dial(t)
			io.WriteString(conn, head+tc.body)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
			for _, got := range app.requests() {
				if !strings.HasSuffix(got, "body error") {
					t.Errorf("the app read a clean body: %s", got)
				}
			}
		})
	}
}

func TestOversizedHeaderGets431(t *testing.T) {
	app := newRecorder()
	b := newBackend(t, "b", app.ServeHTTP)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	tests := []struct {
		name       string
		headers    string
		wantStatus int
	}{
		{"one header of 1 MB", "X-Big: " + strings.Repeat("a", 1<<20) + "\r\n", 431},
		{"many headers over the limit", strings.Repeat("X-Many: "+strings.Repeat("b", 100)+"\r\n", 1000), 431},
		{"headers under the limit", "X-Small: " + strings.Repeat("c", 8<<10) + "\r\n", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := front.dial(t)
			go io.WriteString(conn, "GET / HTTP/1.1\r\nHost: hello.localhost\r\n"+tc.headers+"\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if got := app.requests(); (len(got) > 0) != (tc.wantStatus == 200) {
				t.Errorf("the app got %d requests, want %v", len(got), tc.wantStatus == 200)
			}
		})
	}
}

func TestSlowHeadersAreCutOff(t *testing.T) {
	b := newBackend(t, "b", nil)
	r := newTestRouter(t, Options{ReadHeaderTimeout: 300 * time.Millisecond})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	tests := []struct {
		name    string
		trickle string
	}{
		{"request line only", "GET / HTTP/1.1\r\n"},
		{"headers never end", "GET / HTTP/1.1\r\nHost: hello.localhost\r\nX-A: 1\r\n"},
		{"nothing at all", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := front.dial(t)
			start := time.Now()
			io.WriteString(conn, tc.trickle)
			// A healthy client is served meanwhile.
			if resp, body := front.get(t, "hello.localhost"); resp.StatusCode != 200 || body != "b" {
				t.Fatalf("concurrent client: %d %q, want 200", resp.StatusCode, body)
			}
			// Keep trickling: each byte must not buy more time.
			for range 5 {
				if _, err := io.WriteString(conn, "X"); err != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			rest, err := io.ReadAll(conn)
			if err != nil {
				t.Fatalf("connection not closed: %v (read %q)", err, rest)
			}
			if waited := time.Since(start); waited > 3*time.Second {
				t.Errorf("slow client cut off after %s, want about 300ms", waited)
			}
			if strings.Contains(string(rest), "200 OK") {
				t.Errorf("slow client was served: %q", rest)
			}
		})
	}
}

func TestClientDisconnectCancelsUpstreamRequest(t *testing.T) {
	entered := make(chan struct{}, 1)
	cancelled := make(chan error, 1)
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stream" {
			io.WriteString(w, "first\n")
			http.NewResponseController(w).Flush()
		}
		entered <- struct{}{}
		select {
		case <-r.Context().Done():
			cancelled <- r.Context().Err()
		case <-time.After(10 * time.Second):
			cancelled <- nil
		}
	})
	var logs logBuffer
	r := newTestRouterLogging(t, Options{AccessLog: true}, &logs)
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	tests := []struct {
		name string
		path string
	}{
		{"waiting for response headers", "/wait"},
		{"during a streamed response", "/stream"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			resp := make(chan *http.Response, 1)
			go func() {
				res, err := front.client().Do(front.newRequest(t, ctx, http.MethodGet, "hello.localhost", tc.path, nil))
				if err == nil {
					resp <- res
				}
			}()
			receive(t, "the request at the app", entered)
			if tc.path == "/stream" {
				res := receive(t, "response headers", resp)
				defer res.Body.Close()
			}
			start := time.Now()
			cancel()
			if err := receive(t, "the app's request to end", cancelled); err == nil {
				t.Fatal("the app's request was not cancelled when the client left")
			}
			if waited := time.Since(start); waited > 2*time.Second {
				t.Errorf("cancelled %s after the client left", waited)
			}
		})
	}
	waitFor(t, "bulkhead empty", func() bool { return r.table.Load().lookup("hello").state.inFlight.Load() == 0 })
	waitFor(t, "a 499 in the access log for the client that left", func() bool { return strings.Contains(logs.String(), "status=499") })
}

func TestServerSentEventsAreNotBuffered(t *testing.T) {
	next := make(chan struct{})
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		for i := range 3 {
			fmt.Fprintf(w, "id: %d\ndata: event %d\n\n", i, i)
			http.NewResponseController(w).Flush()
			select {
			case <-next:
			case <-r.Context().Done():
				return
			}
		}
	})
	r := newTestRouterLogging(t, Options{AccessLog: true}, io.Discard)
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	resp, err := front.client().Do(front.newRequest(t, ctx, http.MethodGet, "hello.localhost", "/events", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("Content-Type"); got != "text/event-stream" {
		t.Errorf("Content-Type = %q", got)
	}
	br := bufio.NewReader(resp.Body)
	for i := range 3 {
		event := readEvent(t, br)
		if want := fmt.Sprintf("id: %d\ndata: event %d\n", i, i); event != want {
			t.Fatalf("event %d = %q, want %q before the app sends the next", i, event, want)
		}
		next <- struct{}{}
	}
}

// readEvent reads one server-sent event, up to its blank line.
func readEvent(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var event strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("read event: %v (so far %q)", err, event.String())
		}
		if line == "\n" {
			return event.String()
		}
		event.WriteString(line)
	}
}

func TestDrainWaitsForRequestsInFlight(t *testing.T) {
	blk := newBlocker()
	b := newBackend(t, "b", blk.ServeHTTP)
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)
	t.Cleanup(blk.open)

	if err := r.Drain(t.Context()); err != nil {
		t.Fatalf("Drain with nothing in flight = %v", err)
	}
	done := front.start(t, front.newRequest(t, t.Context(), http.MethodGet, "hello.localhost", "/", nil))
	receive(t, "the request at the app", blk.entered)

	short, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := r.Drain(short); err == nil {
		t.Fatal("Drain returned while a request was in flight")
	}
	drained := make(chan error, 1)
	go func() { drained <- r.Drain(t.Context()) }()
	blk.open()
	if err := receive(t, "drain", drained); err != nil {
		t.Errorf("Drain = %v", err)
	}
	if res := receive(t, "the request", done); res.Status != 200 {
		t.Errorf("request in flight: %+v, want 200", res)
	}
}
