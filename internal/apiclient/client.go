// Package apiclient is a typed client for the paasd REST API described in
// docs/api.md. A Client holds the base URL and the token; its accessors
// (Apps, Builds, Releases, Config, Formation, Processes, Runs, Users,
// Tokens, Access) group the calls by resource, in the manner of Nomad's
// api package. Errors the server reports come back as *paas.Error
// carrying the server's code and message.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// DefaultAddress is the API address of a paasd running on this machine with
// its default settings.
const DefaultAddress = "http://127.0.0.1:5050"

// DefaultTimeout bounds a whole request, body included, when Config.Timeout
// is zero.
const DefaultTimeout = 30 * time.Second

// DefaultRolloutTimeout bounds a request that answers only once a release
// has rolled out or instances were replaced (config changes, rollbacks,
// scaling, restarts) when Config.RolloutTimeout is zero. Health checks make
// these slower than DefaultTimeout allows.
const DefaultRolloutTimeout = 10 * time.Minute

// Config says where the API is and how to call it. Only Address is required.
type Config struct {
	// Address is the base URL of the API, such as http://127.0.0.1:5050.
	Address string
	// Token is sent as a bearer token on every request. It never appears
	// in errors or log lines.
	Token string
	// UserAgent is sent on every request when it is not empty.
	UserAgent string
	// HTTPClient, when set, replaces the client built from Timeout.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// RolloutTimeout bounds each request that waits for a rollout; zero
	// means DefaultRolloutTimeout. One-off runs are bounded only by their
	// context.
	RolloutTimeout time.Duration
	// Logger receives one debug line per request (method, URL, status,
	// duration). Nil means no logging.
	Logger *slog.Logger
}

// String describes the config without its token, so that printing a Config
// by mistake cannot leak it.
func (c Config) String() string {
	return fmt.Sprintf("apiclient.Config{Address: %q, Token: %s}", c.Address, redact(c.Token))
}

// GoString is String, for the %#v verb.
func (c Config) GoString() string { return c.String() }

// Client calls the paasd API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	token     string
	userAgent string
	http      *http.Client
	rollout   *http.Client // http with RolloutTimeout
	stream    *http.Client // http without a timeout, for streamed answers
	log       *slog.Logger
}

// New returns a Client for cfg. It fails when cfg.Address is not an absolute
// http or https URL.
func New(cfg Config) (*Client, error) {
	base, err := ParseAddress(cfg.Address)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, token: cfg.Token, userAgent: cfg.UserAgent, http: cfg.HTTPClient, log: cfg.Logger}
	if c.http == nil {
		c.http = &http.Client{Timeout: cmpOr(cfg.Timeout, DefaultTimeout)}
	}
	c.rollout = withTimeout(c.http, cmpOr(cfg.RolloutTimeout, DefaultRolloutTimeout))
	c.stream = withTimeout(c.http, 0)
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// ParseAddress parses an API address and checks that it is an absolute
// http or https URL without a query.
func ParseAddress(addr string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(addr))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, paas.Errorf(paas.EINVALID, "API address %q is not an http(s) URL such as %s", clip(addr), DefaultAddress)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

// Address returns the base URL of the API, without any credentials it may
// have carried.
func (c *Client) Address() string { return c.base.Redacted() }

// String describes the client without its token.
func (c *Client) String() string {
	return fmt.Sprintf("apiclient.Client{Address: %q, Token: %s}", c.Address(), redact(c.token))
}

// withTimeout returns a copy of hc, sharing its transport, with the given
// overall timeout (zero: none).
func withTimeout(hc *http.Client, d time.Duration) *http.Client {
	cp := *hc
	cp.Timeout = d
	return &cp
}

// do sends a request with an optional JSON body and decodes a JSON answer
// into out unless out is nil.
func (c *Client) do(ctx context.Context, method string, in, out any, path ...string) error {
	return c.doWith(ctx, c.http, method, in, out, path...)
}

// doWith is do with the given HTTP client, such as c.rollout.
func (c *Client) doWith(ctx context.Context, hc *http.Client, method string, in, out any, path ...string) error {
	req, err := c.newRequest(ctx, method, in, path...)
	if err != nil {
		return err
	}
	resp, err := c.roundTrip(ctx, hc, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode answer to %s %s: %w", method, req.URL.Path, err)
	}
	return nil
}

// send performs one request and returns the response when its status is
// 2xx. The caller closes the body.
func (c *Client) send(ctx context.Context, method string, in any, path ...string) (*http.Response, error) {
	req, err := c.newRequest(ctx, method, in, path...)
	if err != nil {
		return nil, err
	}
	return c.roundTrip(ctx, c.http, req)
}

// roundTrip sends req with hc, logs it and returns the response when its
// status is 2xx. The caller closes the body.
func (c *Client) roundTrip(ctx context.Context, hc *http.Client, req *http.Request) (*http.Response, error) {
	method := req.Method
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	c.log.DebugContext(ctx, "api request", "method", method, "url", req.URL.Redacted(),
		"status", resp.StatusCode, "duration", time.Since(start).Round(time.Millisecond))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, decodeError(resp, method, req.URL.Path)
	}
	return resp, nil
}

// newRequest builds a request for the API path made of the given segments.
func (c *Client) newRequest(ctx context.Context, method string, in any, path ...string) (*http.Request, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode %s body: %w", method, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(path...).String(), body)
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// url joins the base URL and the path segments, escaping each segment so
// that a name can never add a path element.
func (c *Client) url(segments ...string) *url.URL {
	u := *c.base
	escaped := make([]string, len(segments))
	for i, s := range segments {
		escaped[i] = url.PathEscape(s)
	}
	u.Path = c.base.Path + "/" + strings.Join(segments, "/")
	u.RawPath = c.base.EscapedPath() + "/" + strings.Join(escaped, "/")
	return &u
}

// transportError explains a request that got no answer. The *url.Error from
// net/http names the URL, never the headers, so the token stays out.
func (c *Client) transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return &TransportError{Address: c.Address(), Err: err}
}

// TransportError is returned when the API could not be reached or did not
// answer in time.
type TransportError struct {
	Address string
	Err     error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("cannot reach the API at %s: %v", e.Address, e.Err)
}

// Unwrap returns the underlying network error.
func (e *TransportError) Unwrap() error { return e.Err }

// cmpOr returns d, or def when d is zero.
func cmpOr(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// redact tells whether a secret is set without showing it.
func redact(secret string) string {
	if secret == "" {
		return `""`
	}
	return "[redacted]"
}

// clip shortens untrusted input before it is echoed in a message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
