package apiclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/gitpaas/paas/internal/apiclient/apiclienttest"
)

const testToken = "s3cr3t-token-value"

// newClient returns a client of the fake API with the right token.
func newClient(t *testing.T) (*apiclient.Client, *apiclienttest.Server) {
	t.Helper()
	api := apiclienttest.New(t, testToken)
	c, err := apiclient.New(apiclient.Config{Address: api.URL, Token: testToken, UserAgent: "paas-cli/test"})
	if err != nil {
		t.Fatal(err)
	}
	return c, api
}

// clientFor returns a client of a handler written by the test.
func clientFor(t *testing.T, h http.HandlerFunc, cfg apiclient.Config) *apiclient.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.Address = srv.URL
	c, err := apiclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantCode fails unless err is a *paas.Error with the given code and a
// message containing msg.
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var pe *paas.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want *paas.Error %s", err, err, code)
	}
	if pe.Code != code || !strings.Contains(pe.Message, msg) {
		t.Errorf("error = {%s %q}, want code %s and message containing %q", pe.Code, pe.Message, code, msg)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		address string
		want    string
		wantErr bool
	}{
		{name: "default", address: apiclient.DefaultAddress, want: "http://127.0.0.1:5050"},
		{name: "trailing slash", address: "https://paas.example.com/", want: "https://paas.example.com"},
		{name: "path prefix", address: "http://h:1/paas/", want: "http://h:1/paas"},
		{name: "credentials redacted", address: "http://u:pw@h:1", want: "http://u:xxxxx@h:1"},
		{name: "empty", address: "", wantErr: true},
		{name: "no scheme", address: "127.0.0.1:5050", wantErr: true},
		{name: "other scheme", address: "ftp://h", wantErr: true},
		{name: "query", address: "http://h/?a=b", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := apiclient.New(apiclient.Config{Address: tt.address})
			if tt.wantErr {
				wantCode(t, err, paas.EINVALID, "is not an http(s) URL")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Address(); got != tt.want {
				t.Errorf("Address() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	c, api := newClient(t)
	if _, err := c.Whoami(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := api.Requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	want := apiclienttest.Request{Method: "GET", Path: "/v1/whoami", UserAgent: "paas-cli/test", Authorization: "Bearer " + testToken}
	if reqs[0] != want {
		t.Errorf("request = %+v, want %+v", reqs[0], want)
	}
}

func TestErrorDecoding(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode string
		wantMsg  string
	}{
		{
			name: "documented shape", status: 404,
			body:     `{"error":{"code":"not_found","message":"app \"nope\" not found; list your apps with: paas apps"}}`,
			wantCode: paas.ENOTFOUND, wantMsg: `app "nope" not found; list your apps with: paas apps`,
		},
		{
			name: "code kept over status", status: 400,
			body:     `{"error":{"code":"conflict","message":"busy"}}`,
			wantCode: paas.ECONFLICT, wantMsg: "busy",
		},
		{
			name: "missing code derived from status", status: 403,
			body:     `{"error":{"message":"admins only"}}`,
			wantCode: paas.EFORBIDDEN, wantMsg: "admins only",
		},
		{
			name: "html from a proxy", status: 502,
			body:     "<html>\n<body>Bad gateway</body></html>",
			wantCode: paas.EUNAVAILABLE, wantMsg: "the API answered 502 Bad Gateway to GET /v1/apps: <html> <body>Bad gateway</body></html>",
		},
		{
			name: "empty 401", status: 401,
			wantCode: paas.EUNAUTHORIZED, wantMsg: "the API answered 401 Unauthorized to GET /v1/apps",
		},
		{
			name: "unexpected redirect status", status: 304,
			wantCode: paas.EINTERNAL, wantMsg: "304 Not Modified",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientFor(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}, apiclient.Config{Token: testToken})
			_, err := c.Apps().List(context.Background())
			wantCode(t, err, tt.wantCode, tt.wantMsg)
		})
	}
}

func TestTokenNeverShown(t *testing.T) {
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := clientFor(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nope", http.StatusTeapot)
	}, apiclient.Config{Token: testToken, Logger: logger})
	_, err := c.Apps().Get(context.Background(), "hello")
	closed, _ := apiclient.New(apiclient.Config{Address: "http://127.0.0.1:1", Token: testToken})
	_, netErr := closed.Whoami(context.Background())

	cfg := apiclient.Config{Address: "http://h", Token: testToken}
	for name, s := range map[string]string{
		"log":             log.String(),
		"api error":       err.Error(),
		"transport error": netErr.Error(),
		"config %v":       fmt.Sprintf("%v %+v", cfg, cfg),
		"config %#v":      fmt.Sprintf("%#v", cfg),
		"client %+v":      fmt.Sprintf("%+v", c),
	} {
		if strings.Contains(s, testToken) {
			t.Errorf("%s shows the token: %s", name, s)
		}
	}
	if !strings.Contains(log.String(), "status=418") {
		t.Errorf("log = %q, want a line with the status", log.String())
	}
}

func TestTransportError(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
		address string
		wantMsg string
	}{
		{name: "refused", address: "http://127.0.0.1:1", wantMsg: "cannot reach the API at http://127.0.0.1:1"},
		{
			name: "timeout", timeout: 50 * time.Millisecond, wantMsg: "Timeout exceeded",
			handler: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := apiclient.Config{Address: tt.address, Timeout: tt.timeout}
			var c *apiclient.Client
			if tt.handler != nil {
				c = clientFor(t, tt.handler, cfg)
			} else {
				c, _ = apiclient.New(cfg)
			}
			_, err := c.Whoami(context.Background())
			var te *apiclient.TransportError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %v (%T), want a TransportError containing %q", err, err, tt.wantMsg)
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	c, _ := newClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Whoami(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestPathSegmentsEscaped(t *testing.T) {
	var got string
	c := clientFor(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		fmt.Fprint(w, `{}`)
	}, apiclient.Config{})
	if _, err := c.Apps().Get(context.Background(), "../a/b?c"); err != nil {
		t.Fatal(err)
	}
	if want := "/v1/apps/..%2Fa%2Fb%3Fc"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestPathPrefixKept(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Path
		fmt.Fprint(w, `[]`)
	}))
	t.Cleanup(srv.Close)
	c, err := apiclient.New(apiclient.Config{Address: srv.URL + "/paas/"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apps().List(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got != "/paas/v1/apps" {
		t.Errorf("path = %q, want /paas/v1/apps", got)
	}
}

func TestNullListIsEmpty(t *testing.T) {
	c := clientFor(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "null") }, apiclient.Config{})
	apps, err := c.Apps().List(context.Background())
	if err != nil || apps == nil || len(apps) != 0 {
		t.Errorf("List() = %#v, %v; want an empty non-nil list", apps, err)
	}
}

func TestBadJSONAnswer(t *testing.T) {
	c := clientFor(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{") }, apiclient.Config{})
	_, err := c.Whoami(context.Background())
	if err == nil || !strings.Contains(err.Error(), "decode answer to GET /v1/whoami") {
		t.Errorf("error = %v, want a decode error naming the route", err)
	}
}
