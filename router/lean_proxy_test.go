package router

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// rawUpstream is an app that speaks HTTP/1.1 by hand, so that it can
// misbehave. It answers the router's health checks on /health itself and
// hands every other request to script with the index of its connection
// (counting only connections that carried such a request, from 0) and of
// the request on it; script writes whatever it likes and returns false to
// close the connection.
type rawUpstream struct {
	ln       net.Listener
	conns    atomic.Int64 // connections that carried a request for script
	requests atomic.Int64
	mu       sync.Mutex
	seen     []string // "METHOD path body" of each request for script
}

type rawScript func(w *bufio.Writer, req *http.Request, body string, conn, n int) bool

func newRawUpstream(t *testing.T, script rawScript) *rawUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &rawUpstream{ln: ln}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { u.serve(conn, script) })
		}
	})
	return u
}

func (u *rawUpstream) serve(conn net.Conn, script rawScript) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	br, bw := bufio.NewReader(conn), bufio.NewWriter(conn)
	index, n := -1, 0
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		if req.URL.Path == "/health" {
			bw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			bw.Flush()
			continue
		}
		if index < 0 {
			index = int(u.conns.Add(1) - 1)
		}
		u.requests.Add(1)
		u.mu.Lock()
		u.seen = append(u.seen, req.Method+" "+req.URL.Path+" "+string(body))
		u.mu.Unlock()
		more := script(bw, req, string(body), index, n)
		bw.Flush()
		n++
		if !more {
			return
		}
	}
}

func (u *rawUpstream) seenRequests() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.seen...)
}

func (u *rawUpstream) instance(app string) paas.Instance {
	return paas.Instance{App: app, Release: 1, AllocID: "raw", Addr: u.ln.Addr().String(), HealthPath: "/health"}
}

// routeTo returns a frontend for a router whose app "hello" is u.
func routeTo(t *testing.T, u *rawUpstream, o Options) (*Router, *frontend) {
	t.Helper()
	if o.HealthInterval == 0 {
		o.HealthInterval = time.Hour
	}
	r := newTestRouter(t, o)
	r.Update([]paas.Instance{u.instance("hello")})
	waitFor(t, "the raw upstream healthy", func() bool {
		lb := r.table.Load().lookup("hello")
		return lb != nil && lb.targets[0].isHealthy()
	})
	return r, newFrontend(t, r)
}

// ok answers with body, keeping the connection.
func ok(body string) string {
	return "HTTP/1.1 200 OK\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestLeanResponseFraming(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		response  string // what the app writes
		wantCode  int
		wantBody  string
		wantConns int64 // connections used by two requests
		closes    bool  // the app closes the connection after the response
		check     func(t *testing.T, resp *http.Response)
	}{
		{
			name:      "content length keeps the connection",
			response:  ok("hello"),
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 1,
		},
		{
			name:      "chunked keeps the connection",
			response:  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 1,
		},
		{
			// busybox httpd passes a CGI script's header lines on as the
			// script wrote them, ending in bare LF, and closes.
			name:      "bare LF header lines, body up to the close",
			response:  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\n\nhello",
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 2,
			closes:    true,
		},
		{
			name:      "bare LF everywhere",
			response:  "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 1,
		},
		{
			name:      "connection close is honoured",
			response:  "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 2,
			check: func(t *testing.T, resp *http.Response) {
				if resp.Close {
					t.Error("the app's Connection: close reached the client")
				}
			},
		},
		{
			name:      "body delimited by the close",
			response:  "HTTP/1.1 200 OK\r\n\r\nhello",
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 2,
			closes:    true,
			check: func(t *testing.T, resp *http.Response) {
				if resp.Close || len(resp.TransferEncoding) == 0 {
					t.Errorf("the client got close %v, transfer encoding %q; want its connection kept, the body chunked", resp.Close, resp.TransferEncoding)
				}
			},
		},
		{
			name:      "http/1.0 response",
			response:  "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello",
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 2,
		},
		{
			name:      "204 has no body",
			response:  "HTTP/1.1 204 No Content\r\n\r\n",
			wantCode:  204,
			wantConns: 1,
		},
		{
			name:      "304 has no body whatever its length says",
			response:  "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nEtag: \"x\"\r\n\r\n",
			wantCode:  304,
			wantConns: 1,
		},
		{
			name:      "head has no body whatever its length says",
			method:    http.MethodHead,
			response:  "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n",
			wantCode:  200,
			wantConns: 2, // not kept after HEAD, in case the app sent a body
			check: func(t *testing.T, resp *http.Response) {
				if resp.ContentLength != 50 {
					t.Errorf("Content-Length = %d, want the app's 50", resp.ContentLength)
				}
			},
		},
		{
			name:      "informational responses are passed on",
			response:  "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" + ok("hello"),
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 1,
			check: func(t *testing.T, resp *http.Response) {
				if resp.Header.Get("Link") != "" {
					t.Errorf("the 103's Link header leaked into the final response")
				}
			},
		},
		{
			name: "content length and chunked: chunked wins and the connection ends",
			response: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" +
				ok("smuggled"),
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 2,
			check: func(t *testing.T, resp *http.Response) {
				if resp.ContentLength != -1 {
					t.Errorf("Content-Length %d reached the client with a chunked body", resp.ContentLength)
				}
			},
		},
		{
			name:      "bytes after the response end the connection",
			response:  ok("hello") + ok("smuggled"),
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 2,
		},
		{
			name:      "hop-by-hop headers are dropped",
			response:  "HTTP/1.1 200 OK\r\nConnection: X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nUpgrade: h2c\r\nContent-Length: 5\r\n\r\nhello",
			wantCode:  200,
			wantBody:  "hello",
			wantConns: 1,
			check: func(t *testing.T, resp *http.Response) {
				for _, k := range []string{"X-Secret", "Keep-Alive", "Upgrade"} {
					if v := resp.Header.Get(k); v != "" {
						t.Errorf("%s: %q reached the client", k, v)
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := newRawUpstream(t, func(w *bufio.Writer, req *http.Request, body string, conn, n int) bool {
				w.WriteString(tc.response)
				return !tc.closes
			})
			_, front := routeTo(t, u, Options{})
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			for i := range 2 {
				resp, body := front.do(t, method, "hello.localhost", "/", nil, nil)
				if resp.StatusCode != tc.wantCode || body != tc.wantBody {
					t.Fatalf("request %d: %d %q, want %d %q", i, resp.StatusCode, body, tc.wantCode, tc.wantBody)
				}
				if resp.Header.Get(requestIDHeader) == "" {
					t.Errorf("no X-Request-Id to the client")
				}
				if tc.check != nil {
					tc.check(t, resp)
				}
			}
			if got := u.conns.Load(); got != tc.wantConns {
				t.Errorf("two requests used %d connections to the app, want %d", got, tc.wantConns)
			}
		})
	}
}

func TestLeanMisbehavingUpstream(t *testing.T) {
	tests := []struct {
		name     string
		response string
		close    bool // after the response
		wantCode int
	}{
		{"garbage status line", "HELLO WORLD\r\n\r\n", true, 502},
		{"status below 100", "HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n", true, 502},
		{"malformed header", "HTTP/1.1 200 OK\r\nBad Header\r\nContent-Length: 0\r\n\r\n", true, 502},
		{"two content lengths that differ", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", true, 502},
		{"signed content length", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nxx", true, 502},
		{"unknown transfer encoding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", true, 502},
		{"101 without an upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", true, 502},
		{"too many 1xx", strings.Repeat("HTTP/1.1 102 Processing\r\n\r\n", 6) + ok("late"), true, 502},
		{"headers over 1 MiB", "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("x", 1<<20) + "\r\nContent-Length: 0\r\n\r\n", true, 502},
		{"closed before any response", "", true, 502},
		{"closed in the headers", "HTTP/1.1 200 OK\r\nContent-Len", true, 502},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := newRawUpstream(t, func(w *bufio.Writer, req *http.Request, body string, conn, n int) bool {
				w.WriteString(tc.response)
				return !tc.close
			})
			r, front := routeTo(t, u, Options{})
			resp, body := front.do(t, http.MethodGet, "hello.localhost", "/", header("Accept", "application/json"), nil)
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("status = %d, want %d; body %q", resp.StatusCode, tc.wantCode, body)
			}
			if got := errorCode(t, body); got != codeBadGateway {
				t.Errorf("code = %q, want %q", got, codeBadGateway)
			}
			if !targetOf(r, u.ln.Addr().String()).isHealthy() {
				t.Errorf("an app error ejected the target")
			}
		})
	}
}

func TestLeanResponseCutHalfWay(t *testing.T) {
	tests := []struct {
		name     string
		response string
	}{
		{"content length", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nonly ten b\r\n"},
		{"malformed chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nonly ten b\r\nzz\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := newRawUpstream(t, func(w *bufio.Writer, req *http.Request, body string, conn, n int) bool {
				if req.URL.Path == "/whole" {
					w.WriteString(ok("whole"))
					return true
				}
				w.WriteString(tc.response)
				return false
			})
			_, front := routeTo(t, u, Options{})
			// The status may or may not have left the router's buffer.
			resp, err := front.client().Do(front.newRequest(t, t.Context(), http.MethodGet, "hello.localhost", "/", nil))
			if err == nil {
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil {
					t.Errorf("client read %q to a clean end; want the response cut", got)
				}
			}
			// The next request is served on a connection of its own.
			if resp, body := front.do(t, http.MethodGet, "hello.localhost", "/whole", nil, nil); resp.StatusCode != 200 || body != "whole" {
				t.Errorf("next request: %d %q", resp.StatusCode, body)
			}
		})
	}
}

func TestLeanSlowHeadersGet504(t *testing.T) {
	release := make(chan struct{})
	u := newRawUpstream(t, func(w *bufio.Writer, req *http.Request, body string, conn, n int) bool {
		w.WriteString("HTTP/1.1 200 OK\r\n")
		w.Flush()
		<-release
		return false
	})
	t.Cleanup(func() { close(release) })
	_, front := routeTo(t, u, Options{ResponseHeaderTimeout: 100 * time.Millisecond})
	start := time.Now()
	resp, body := front.do(t, http.MethodGet, "hello.localhost", "/", header("Accept", "application/json"), nil)
	if resp.StatusCode != http.StatusGatewayTimeout || errorCode(t, body) != codeGatewayTimeout {
		t.Errorf("status = %d %q, want 504", resp.StatusCode, body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("answered after %s, want about 100ms", d)
	}
}

// TestLeanIdleConnectionClosedByApp is what a deploy looks like from the
// router: the app closes its keep-alive connections. A connection the app
// closed while idle is never used; one it closes just as the router sends
// a request is retried on a new connection for a GET, and answered with a
// 502 for a POST, which the app must not see twice.
func TestLeanIdleConnectionClosedByApp(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		body     string
		dropping bool // the app reads the second request and closes without answering
		wantCode int
		wantSeen []string
	}{
		{"closed while idle, get", http.MethodGet, "", false, 200, []string{"GET /first ", "GET /second "}},
		{"closed while idle, post", http.MethodPost, "x=1", false, 200, []string{"GET /first ", "POST /second x=1"}},
		{"closed under the request, get is retried", http.MethodGet, "", true, 200, []string{"GET /first ", "GET /second ", "GET /second "}},
		{"closed under the request, head is retried", http.MethodHead, "", true, 200, []string{"GET /first ", "HEAD /second ", "HEAD /second "}},
		{"closed under the request, post is not", http.MethodPost, "x=1", true, 502, []string{"GET /first ", "POST /second x=1"}},
		{"closed under the request, empty post is not", http.MethodPost, "", true, 502, []string{"GET /first ", "POST /second "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := newRawUpstream(t, func(w *bufio.Writer, req *http.Request, body string, conn, n int) bool {
				if conn == 0 && n == 1 && tc.dropping {
					return false
				}
				w.WriteString(ok("fine"))
				// The first connection is closed once idle, as an app
				// that shuts down does.
				return !(conn == 0 && !tc.dropping)
			})
			_, front := routeTo(t, u, Options{})
			if resp, _ := front.do(t, http.MethodGet, "hello.localhost", "/first", nil, nil); resp.StatusCode != 200 {
				t.Fatalf("first request: %d", resp.StatusCode)
			}
			time.Sleep(20 * time.Millisecond) // the app's FIN arrives
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			resp, got := front.do(t, tc.method, "hello.localhost", "/second", header("Accept", "application/json"), body)
			if resp.StatusCode != tc.wantCode {
				t.Errorf("status = %d, want %d; body %q", resp.StatusCode, tc.wantCode, got)
			}
			if diff := cmp.Diff(tc.wantSeen, u.seenRequests()); diff != "" {
				t.Errorf("requests the app saw (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLeanUnsolicitedBytesWhileIdle: bytes an app sends on an idle
// connection must never be read as the answer to the next request.
func TestLeanUnsolicitedBytesWhileIdle(t *testing.T) {
	u := newRawUpstream(t, func(w *bufio.Writer, req *http.Request, body string, conn, n int) bool {
		w.WriteString(ok(req.URL.Path))
		if n == 0 {
			w.Flush()
			time.Sleep(5 * time.Millisecond)
			w.WriteString(ok("/unsolicited"))
		}
		return true
	})
	_, front := routeTo(t, u, Options{})
	for _, path := range []string{"/a", "/b", "/c"} {
		time.Sleep(20 * time.Millisecond)
		if resp, body := front.do(t, http.MethodGet, "hello.localhost", path, nil, nil); resp.StatusCode != 200 || body != path {
			t.Errorf("GET %s: %d %q", path, resp.StatusCode, body)
		}
	}
}

func TestLeanRequestFraming(t *testing.T) {
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		w.Header().Set("X-Content-Length", itoa(int(r.ContentLength)))
		w.Header().Set("X-Transfer-Encoding", strings.Join(r.TransferEncoding, ","))
		w.Header().Set("X-Seen", strings.Join([]string{r.Header.Get("X-Secret"), r.Header.Get("Keep-Alive"), r.Header.Get("Te"), r.Header.Get("X-Kept")}, "|"))
		w.Write(body)
	})
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	tests := []struct {
		name       string
		method     string
		body       string
		chunked    bool
		header     http.Header
		wantLength string
		wantTE     string
		wantSeen   string
	}{
		{"get without a body", http.MethodGet, "", false, nil, "0", "", "|||"},
		{"post without a body", http.MethodPost, "", false, nil, "0", "", "|||"},
		{"post with a length", http.MethodPost, "hello", false, nil, "5", "", "|||"},
		{"put of 64 KiB", http.MethodPut, strings.Repeat("x", 64<<10), false, nil, itoa(64 << 10), "", "|||"},
		{"put of 100 KiB (ReverseProxy path)", http.MethodPut, strings.Repeat("x", 100<<10), false, nil, itoa(100 << 10), "", "|||"},
		{"chunked post (ReverseProxy path)", http.MethodPost, "hello", true, nil, "-1", "chunked", "|||"},
		{
			"hop-by-hop headers dropped, te trailers kept", http.MethodGet, "", false,
			http.Header{"Connection": {"X-Secret"}, "X-Secret": {"1"}, "Keep-Alive": {"timeout=5"}, "Te": {"trailers, deflate"}, "X-Kept": {"yes"}},
			"0", "", "||trailers|yes",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.body
			var body io.Reader
			switch {
			case tc.chunked:
				body = unsized{strings.NewReader(want)}
			case want != "":
				body = strings.NewReader(want)
			}
			resp, got := front.do(t, tc.method, "hello.localhost", "/", tc.header, body)
			if resp.StatusCode != 200 || got != want {
				t.Fatalf("%d, body of %d bytes; want 200 and the %d bytes sent", resp.StatusCode, len(got), len(want))
			}
			seen := []string{resp.Header.Get("X-Content-Length"), resp.Header.Get("X-Transfer-Encoding"), resp.Header.Get("X-Seen")}
			if diff := cmp.Diff([]string{tc.wantLength, tc.wantTE, tc.wantSeen}, seen); diff != "" {
				t.Errorf("what the app saw (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLeanTrailers(t *testing.T) {
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		io.WriteString(w, "hello")
		w.Header().Set("X-Checksum", "abc")
		w.Header().Set(http.TrailerPrefix+"X-Late", "def")
	})
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	resp, err := front.client().Do(front.newRequest(t, t.Context(), http.MethodGet, "hello.localhost", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "hello" {
		t.Fatalf("body %q, %v", body, err)
	}
	got := map[string]string{"X-Checksum": resp.Trailer.Get("X-Checksum"), "X-Late": resp.Trailer.Get("X-Late")}
	if diff := cmp.Diff(map[string]string{"X-Checksum": "abc", "X-Late": "def"}, got); diff != "" {
		t.Errorf("trailers (-want +got):\n%s", diff)
	}
}

func TestLeanEligible(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		chosen bool
	}{
		{"get", "GET /x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"post with a small body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", true},
		{"http/1.0 client", "GET / HTTP/1.0\r\nHost: a\r\n\r\n", true},
		{"absolute form", "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n", true},
		{"websocket", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", false},
		{"event stream", "GET / HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\n\r\n", false},
		{"expect continue", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello", false},
		{"chunked body", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false},
		{"request trailers", "POST / HTTP/1.1\r\nHost: a\r\nTrailer: X-T\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false},
		{"large body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n", false},
		{"options star", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(tc.raw)))
			if err != nil {
				t.Fatal(err)
			}
			if got := leanEligible(req); got != tc.chosen {
				t.Errorf("leanEligible = %v, want %v", got, tc.chosen)
			}
		})
	}
}

func TestLeanPostBodyFailsHalfWay(t *testing.T) {
	appDone := make(chan error, 1)
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		appDone <- err
	})
	r := newTestRouter(t, Options{})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	conn := front.dial(t)
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 100\r\n\r\n0123456789")
	time.Sleep(50 * time.Millisecond)
	conn.Close()
	if err := receive(t, "the app's body read to end", appDone); err == nil {
		t.Errorf("app read a body cut half way to a clean EOF; want an error")
	}
	if resp, body := front.get(t, "hello.localhost"); resp.StatusCode != 200 {
		t.Errorf("next request: %d %q", resp.StatusCode, body)
	}
}

// TestLeanKeepsRouterHeaders: the canary cookie the router sets goes out
// with the app's own cookies, and not with a 1xx.
func TestLeanKeepsRouterHeaders(t *testing.T) {
	u := newRawUpstream(t, func(w *bufio.Writer, req *http.Request, body string, conn, n int) bool {
		w.WriteString("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n")
		w.WriteString("HTTP/1.1 200 OK\r\nSet-Cookie: app=1\r\nContent-Length: 2\r\n\r\nok")
		return true
	})
	r, front := routeTo(t, u, Options{})
	r.UpdateRoutes([]paas.Route{{App: "hello", Release: 1, Canary: 2, CanaryWeight: 30}})

	conn := front.dial(t)
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: hello.localhost\r\n\r\n")
	br := bufio.NewReader(conn)
	early, err := http.ReadResponse(br, nil)
	if err != nil || early.StatusCode != http.StatusEarlyHints {
		t.Fatalf("first response: %v %v, want the 103", early, err)
	}
	if c := early.Header.Values("Set-Cookie"); len(c) != 0 {
		t.Errorf("the 103 carried cookies %q", c)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("final response: %v %v", resp, err)
	}
	cookies := strings.Join(resp.Header.Values("Set-Cookie"), "; ")
	if !strings.Contains(cookies, "app=1") || !strings.Contains(cookies, canaryCookie+"=") {
		t.Errorf("Set-Cookie = %q, want the app's and the canary's", cookies)
	}
}
