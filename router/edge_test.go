package router

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

func TestParseEdgeRequest(t *testing.T) {
	const host = "Host: hello.localhost\r\n"
	tests := []struct {
		name string
		head string
		want bool
	}{
		{"plain get", "GET /a?b=c HTTP/1.1\r\n" + host + "Accept: */*\r\n\r\n", true},
		{"post with a length", "POST /orders HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\n", true},
		{"connection close", "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", true},
		{"no host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", false},
		{"two hosts", "GET / HTTP/1.1\r\n" + host + host + "\r\n", false},
		{"empty host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", false},
		{"http/1.0", "GET / HTTP/1.0\r\n" + host + "\r\n", false},
		{"absolute form", "GET http://hello.localhost/ HTTP/1.1\r\n" + host + "\r\n", false},
		{"asterisk form", "OPTIONS * HTTP/1.1\r\n" + host + "\r\n", false},
		{"connect", "CONNECT / HTTP/1.1\r\n" + host + "\r\n", false},
		{"fragment", "GET /a#b HTTP/1.1\r\n" + host + "\r\n", false},
		{"control in target", "GET /a\x01 HTTP/1.1\r\n" + host + "\r\n", false},
		{"chunked body", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n", false},
		{"length and chunked", "POST / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"two lengths", "POST / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", false},
		{"signed length", "POST / HTTP/1.1\r\n" + host + "Content-Length: +5\r\n\r\n", false},
		{"expect", "POST / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n", false},
		{"upgrade", "GET / HTTP/1.1\r\n" + host + "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n", false},
		{"te", "GET / HTTP/1.1\r\n" + host + "TE: trailers\r\n\r\n", false},
		{"event stream", "GET / HTTP/1.1\r\n" + host + "Accept: text/event-stream\r\n\r\n", false},
		{"connection names a header", "GET / HTTP/1.1\r\n" + host + "Connection: X-Secret\r\n\r\n", false},
		{"space before colon", "GET / HTTP/1.1\r\n" + host + "X-Forwarded-For : 1.2.3.4\r\n\r\n", false},
		{"obsolete line folding", "GET / HTTP/1.1\r\n" + host + "X-A: 1\r\n 2\r\n\r\n", false},
		{"bare LF", "GET / HTTP/1.1\n" + host + "\r\n", false},
		{"NUL in a value", "GET / HTTP/1.1\r\n" + host + "X-A: a\x00b\r\n\r\n", false},
		{"CR in a value", "GET / HTTP/1.1\r\n" + host + "X-A: a\rb\r\n\r\n", false},
		{"too many headers", "GET / HTTP/1.1\r\n" + host + strings.Repeat("X-A: 1\r\n", edgeMaxHeaders+1) + "\r\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var req edgeRequest
			if got := parseEdgeRequest([]byte(tc.head), &req); got != tc.want {
				t.Errorf("parseEdgeRequest = %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("fields", func(t *testing.T) {
		head := "POST /orders?id=7 HTTP/1.1\r\nhost: Hello.localhost\r\nX-Forwarded-For: 6.6.6.6\r\nX-Request-Id: abc\r\n" +
			"Cookie: a=1; paas-canary=42\r\nCONTENT-LENGTH: 3\r\nConnection: keep-alive, close\r\nX-Custom:  v  \r\n\r\n"
		var req edgeRequest
		if !parseEdgeRequest([]byte(head), &req) {
			t.Fatal("not accepted")
		}
		if string(req.method) != "POST" || string(req.target) != "/orders?id=7" || string(req.host) != "Hello.localhost" ||
			req.contentLength != 3 || !req.close || string(req.requestID) != "abc" {
			t.Errorf("parsed %q %q %q length %d close %v id %q", req.method, req.target, req.host, req.contentLength, req.close, req.requestID)
		}
		var forwarded []string
		for _, s := range req.forward[:req.nf] {
			forwarded = append(forwarded, head[s[0]:s[1]])
		}
		want := []string{"Cookie: a=1; paas-canary=42", "X-Custom:  v  "}
		if strings.Join(forwarded, "|") != strings.Join(want, "|") {
			t.Errorf("forwarded %q, want %q", forwarded, want)
		}
		if v, ok := cookieValue(req.cookie, canaryCookie); !ok || string(v) != "42" {
			t.Errorf("canary cookie = %q, %v", v, ok)
		}
	})
}

// edgeFront serves a router on the edge whatever viaNetHTTP says, for the
// tests of the edge itself.
func edgeFront(t *testing.T, o Options, handler http.HandlerFunc) (*backend, *Edge, string) {
	t.Helper()
	b := newBackend(t, "b", handler)
	if o.HealthInterval == 0 {
		o.HealthInterval = time.Hour
	}
	r := newTestRouter(t, o)
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := r.NewEdge(nil)
	go e.Serve(ln)
	t.Cleanup(func() { e.Close() })
	return b, e, ln.Addr().String()
}

func dialEdge(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn, bufio.NewReader(conn)
}

func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp, string(body)
}

// echoPath answers with the request's method, path and body.
func echoPath(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(body))
}

func TestEdgeHandsOffMidConnection(t *testing.T) {
	_, e, addr := edgeFront(t, Options{}, echoPath)
	conn, br := dialEdge(t, addr)

	io.WriteString(conn, "GET /one HTTP/1.1\r\nHost: hello.localhost\r\n\r\n")
	if _, body := readResponse(t, br, "GET"); body != "GET /one " {
		t.Fatalf("first: %q", body)
	}
	if n := e.handoffs.Load(); n != 0 {
		t.Fatalf("a plain GET was handed off (%d)", n)
	}
	// A chunked body is net/http's to read: the connection goes over,
	// with the request, and keeps serving.
	io.WriteString(conn, "POST /two HTTP/1.1\r\nHost: hello.localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	if _, body := readResponse(t, br, "POST"); body != "POST /two abc" {
		t.Fatalf("second: %q", body)
	}
	io.WriteString(conn, "GET /three HTTP/1.1\r\nHost: hello.localhost\r\n\r\n")
	if _, body := readResponse(t, br, "GET"); body != "GET /three " {
		t.Fatalf("third: %q", body)
	}
	if n := e.handoffs.Load(); n != 1 {
		t.Errorf("handoffs = %d, want 1", n)
	}
}

func TestEdgeBareLFRequestGoesToNetHTTP(t *testing.T) {
	_, e, addr := edgeFront(t, Options{}, echoPath)
	conn, br := dialEdge(t, addr)
	io.WriteString(conn, "GET /lf HTTP/1.1\nHost: hello.localhost\n\n")
	if _, body := readResponse(t, br, "GET"); body != "GET /lf " {
		t.Fatalf("body %q", body)
	}
	if n := e.handoffs.Load(); n != 1 {
		t.Errorf("handoffs = %d, want 1", n)
	}
}

func TestEdgePipelinedRequests(t *testing.T) {
	_, e, addr := edgeFront(t, Options{}, echoPath)
	conn, br := dialEdge(t, addr)
	io.WriteString(conn, "GET /a HTTP/1.1\r\nHost: hello.localhost\r\n\r\n"+
		"POST /b HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 2\r\n\r\nhi"+
		"GET /c HTTP/1.1\r\nHost: hello.localhost\r\nConnection: close\r\n\r\n")
	for _, want := range []string{"GET /a ", "POST /b hi", "GET /c "} {
		if _, body := readResponse(t, br, "GET"); body != want {
			t.Fatalf("body %q, want %q", body, want)
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after Connection: close, read %v, want EOF", err)
	}
	if n := e.handoffs.Load(); n != 0 {
		t.Errorf("handoffs = %d, want 0", n)
	}
}

func TestEdgeBodyInPieces(t *testing.T) {
	_, e, addr := edgeFront(t, Options{}, echoPath)
	conn, br := dialEdge(t, addr)
	io.WriteString(conn, "POST /p HTTP/1.1\r\nHost: hello.localhost\r\nContent-Length: 10\r\n\r\nhello")
	time.Sleep(50 * time.Millisecond)
	io.WriteString(conn, " edge")
	if _, body := readResponse(t, br, "POST"); body != "POST /p hello edge" {
		t.Fatalf("body %q", body)
	}
	if n := e.handoffs.Load(); n != 0 {
		t.Errorf("handoffs = %d, want 0", n)
	}
}

func TestEdgeLargeHeadGoesToNetHTTP(t *testing.T) {
	b, e, addr := edgeFront(t, Options{}, nil)
	conn, br := dialEdge(t, addr)
	big := strings.Repeat("x", 3*edgeBufferSize)
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: hello.localhost\r\nX-Big: "+big+"\r\n\r\n")
	if resp, body := readResponse(t, br, "GET"); resp.StatusCode != 200 || body != "b" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if got := b.lastRequest().Header.Get("X-Big"); got != big {
		t.Errorf("the app got X-Big of %d bytes, want %d", len(got), len(big))
	}
	if n := e.handoffs.Load(); n != 1 {
		t.Errorf("handoffs = %d, want 1", n)
	}
}

func TestEdgeByteReadByTheWatchIsKept(t *testing.T) {
	// The first request outlasts watchAfter, and the second arrives while
	// the watch reads the connection: its first byte must not be lost.
	slow := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(3 * watchAfter)
		}
		echoPath(w, r)
	}
	_, _, addr := edgeFront(t, Options{}, slow)
	conn, br := dialEdge(t, addr)
	io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: hello.localhost\r\n\r\n")
	time.Sleep(2 * watchAfter)
	io.WriteString(conn, "GET /next HTTP/1.1\r\nHost: hello.localhost\r\n\r\n")
	for _, want := range []string{"GET /slow ", "GET /next "} {
		if _, body := readResponse(t, br, "GET"); body != want {
			t.Fatalf("body %q, want %q", body, want)
		}
	}
}

func TestEdgeIdleTimeout(t *testing.T) {
	_, _, addr := edgeFront(t, Options{IdleTimeout: 200 * time.Millisecond}, nil)
	conn, br := dialEdge(t, addr)
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: hello.localhost\r\n\r\n")
	readResponse(t, br, "GET")
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("read %v, want EOF", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
		t.Errorf("closed after %v, want about 200ms", d)
	}
}

func TestEdgeShutdown(t *testing.T) {
	release := make(chan struct{})
	handler := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		io.WriteString(w, "done")
	}
	_, e, addr := edgeFront(t, Options{}, handler)

	idle, idleBR := dialEdge(t, addr)
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: hello.localhost\r\n\r\n")
	readResponse(t, idleBR, "GET")

	busy, busyBR := dialEdge(t, addr)
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: hello.localhost\r\n\r\n")
	time.Sleep(50 * time.Millisecond)

	done := make(chan error, 1)
	go func() { done <- e.Shutdown(context.Background()) }()
	if _, err := idleBR.ReadByte(); err != io.EOF {
		t.Errorf("idle connection: read %v, want EOF", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Errorf("a new connection was accepted after Shutdown")
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	resp, body := readResponse(t, busyBR, "GET")
	if body != "done" || !resp.Close {
		t.Errorf("in-flight request: %q, close %v; want done, closed", body, resp.Close)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return")
	}
}

func TestEdgeSendUnderWaitFinishesPartialWrite(t *testing.T) {
	// The end of a response is written under the wait for the next
	// request. When the socket takes only part of it (a client that does
	// not read), the rest goes out the usual way, whole and in order, and
	// the next request is read after it.
	r := newTestRouter(t, Options{})
	e := r.NewEdge(nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	client, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	server.(*net.TCPConn).SetWriteBuffer(4096)
	client.SetDeadline(time.Now().Add(10 * time.Second))
	server.SetDeadline(time.Now().Add(10 * time.Second))

	c := newEdgeConn(e, server)
	want := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	c.pending = []byte(want)
	type head struct {
		n  int
		ok bool
	}
	got := make(chan head, 1)
	go func() {
		n, ok := c.readHead()
		got <- head{n, ok}
	}()
	time.Sleep(50 * time.Millisecond) // the socket fills up
	b := make([]byte, len(want))
	if _, err := io.ReadFull(client, b); err != nil || string(b) != want {
		t.Fatalf("read %v; intact %v", err, string(b) == want)
	}
	req := "GET / HTTP/1.1\r\nHost: hello.localhost\r\n\r\n"
	io.WriteString(client, req)
	h := <-got
	if !h.ok || h.n != len(req) {
		t.Fatalf("readHead = %d, %v; want %d, true", h.n, h.ok, len(req))
	}
	if e.partials.Load() != 1 {
		t.Errorf("partials = %d, want 1: the socket took it all at once", e.partials.Load())
	}
}
