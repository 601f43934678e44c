package router

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// counter is a backend handler that reads the whole body and answers with
// its length, counting the requests that reached it.
type counter struct {
	hits atomic.Int64
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.hits.Add(1)
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		return
	}
	fmt.Fprint(w, n)
}

// unsized hides the length of r, so that the client sends it chunked.
type unsized struct{ io.Reader }

func TestBodySizeLimit(t *testing.T) {
	const limit = 1000
	var app counter
	b := newBackend(t, "b", app.ServeHTTP)
	r := newTestRouter(t, Options{MaxBodyBytes: limit})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	// A streamed body is cut on its way to the app: whether the app saw the
	// start of the request depends on how far the copy got.
	const no, yes, maybe = "no", "yes", "maybe"
	tests := []struct {
		name       string
		body       io.Reader
		wantStatus int
		wantBody   string
		atApp      string
	}{
		{"declared too large", strings.NewReader(strings.Repeat("x", limit+1)), 413, "", no},
		{"declared at the limit", strings.NewReader(strings.Repeat("x", limit)), 200, "1000", yes},
		{"streamed too large", unsized{strings.NewReader(strings.Repeat("x", 10*limit))}, 413, "", maybe},
		{"streamed under the limit", unsized{strings.NewReader(strings.Repeat("x", limit-1))}, 200, "999", yes},
		{"no body", nil, 200, "0", yes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := app.hits.Load()
			resp, body := front.do(t, http.MethodPost, "hello.localhost", "/", header("Accept", "application/json"), tc.body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantStatus == 413 {
				if got := errorCode(t, body); got != codeBodyTooLarge {
					t.Errorf("code = %q, want %q", got, codeBodyTooLarge)
				}
			} else if body != tc.wantBody {
				t.Errorf("app read %q bytes, want %q", body, tc.wantBody)
			}
			if reached := app.hits.Load() > before; tc.atApp != maybe && reached != (tc.atApp == yes) {
				t.Errorf("request reached the app: %v, want %s", reached, tc.atApp)
			}
		})
	}
}

func TestSlowBodyIsCutOff(t *testing.T) {
	appDone := make(chan error, 1)
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		appDone <- err
	})
	fast := newBackend(t, "fast", nil)
	r := newTestRouter(t, Options{BodyReadTimeout: 200 * time.Millisecond})
	r.Update([]paas.Instance{b.instance("slow"), fast.instance("fast")})
	waitHealthy(t, r, b, fast)
	front := newFrontend(t, r)

	conn := front.dial(t)
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: slow.localhost\r\nContent-Length: 100\r\n\r\n0123456789")

	// While the slow client stalls, others are served.
	for range 3 {
		if resp, body := front.get(t, "fast.localhost"); resp.StatusCode != 200 || body != "fast" {
			t.Fatalf("concurrent client: %d %q, want 200", resp.StatusCode, body)
		}
	}

	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response to the slow body: %v", err)
	}
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status = %d, want 408", resp.StatusCode)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("slow body cut after %s, want about 200ms", waited)
	}
	if !resp.Close {
		t.Errorf("connection kept open after a body was cut off")
	}
	if err := receive(t, "the app's body read to end", appDone); err == nil {
		t.Errorf("app read the cut body to a clean EOF; want an error")
	}
}

func TestBodyTimeoutDoesNotCutLongResponse(t *testing.T) {
	const events = 4
	b := newBackend(t, "b", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range events {
			fmt.Fprintf(w, "data: %d\n\n", i)
			http.NewResponseController(w).Flush()
			time.Sleep(150 * time.Millisecond)
		}
	})
	r := newTestRouter(t, Options{BodyReadTimeout: 100 * time.Millisecond})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	tests := []struct {
		name string
		body io.Reader
	}{
		{"sized body", strings.NewReader("subscribe")},
		{"chunked body", unsized{strings.NewReader("subscribe")}},
		{"no body", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := front.do(t, http.MethodPost, "hello.localhost", "/", nil, tc.body)
			if resp.StatusCode != 200 || strings.Count(body, "data: ") != events {
				t.Errorf("%d %q; want all %d events over 600ms, past the 100ms body timeout", resp.StatusCode, body, events)
			}
		})
	}
}

func TestStalledBodyOfTurnedAwayRequest(t *testing.T) {
	var app counter
	b := newBackend(t, "b", app.ServeHTTP)
	r := newTestRouter(t, Options{BodyReadTimeout: 200 * time.Millisecond, MaxBodyBytes: 1000})
	r.Update([]paas.Instance{b.instance("hello")})
	waitHealthy(t, r, b)
	front := newFrontend(t, r)

	// Go's server reads what is left of an unread body before it answers,
	// to reuse the connection; a client that stalls must not hold it.
	tests := []struct {
		name       string
		host       string
		length     int
		wantStatus int
	}{
		{"unknown app", "nope.localhost", 100, 404},
		{"declared too large", "hello.localhost", 2000, 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := front.dial(t)
			fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\nabc", tc.host, tc.length)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer to a stalled body: %v", err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if !resp.Close {
				t.Errorf("connection kept open with a body left unread on it")
			}
		})
	}
	if n := app.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the app, want none", n)
	}
}
