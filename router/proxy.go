package router

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"time"
)

// Transport tuning. Go's default keeps 2 idle connections per host, which
// under load turns every request into a new connection and a TIME_WAIT.
const (
	maxIdleConns        = 1000
	maxIdleConnsPerHost = 100
	idleConnTimeout     = 90 * time.Second
	tcpKeepAlive        = 30 * time.Second
)

// newTransport returns the one transport shared by every target and by the
// health checks.
func newTransport(o Options) *http.Transport {
	dialer := &net.Dialer{Timeout: o.DialTimeout, KeepAlive: tcpKeepAlive}
	return &http.Transport{
		Proxy:                 nil, // targets are local: never go through $HTTP_PROXY
		DialContext:           dialer.DialContext,
		MaxIdleConns:          maxIdleConns,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		IdleConnTimeout:       idleConnTimeout,
		ResponseHeaderTimeout: o.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false,
		// Pass Accept-Encoding through as the client sent it, rather than
		// asking for gzip and decompressing on the app's behalf.
		DisableCompression: true,
	}
}

// flushInterval is 0: a response whose length the app declared goes
// through the server's 4 KiB buffer, and is sent as the buffer fills and
// when it ends. Responses of unknown length (chunked streams) and
// server-sent events are flushed after every write all the same:
// ReverseProxy does so by itself whatever FlushInterval says. A negative
// FlushInterval would flush every response that way, at the cost of a
// goroutine and a write of its own for the headers of each response: 12%
// more CPU per small request in bench/router. A positive one costs a timer
// per request.
const flushInterval = 0

// exchange is the state of one request as it goes through the router. On
// the ReverseProxy path it rides in the request's context to the proxy's
// Rewrite and ErrorHandler, which run on the same goroutine.
type exchange struct {
	requestID string
	start     time.Time
	app       string
	state     *appState    // of app, when it is in the table
	body      *requestBody // nil when the request has none
	target    *target      // of the current attempt
	err       error        // of the current attempt, set by the ErrorHandler
	rec       responseRecorder
	bucket    int // the client's canary bucket once known, else -1
	// requestIDValue holds requestID as a header value, so that echoing
	// it to the client costs no allocation.
	requestIDValue [1]string
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	ex, _ := ctx.Value(exchangeKey{}).(*exchange)
	return ex
}

// newReverseProxy returns the proxy shared by every app; the target of each
// request comes from its exchange.
func newReverseProxy(transport http.RoundTripper, buffers *bufferPool) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:        rewrite,
		Transport:      transport,
		FlushInterval:  flushInterval,
		BufferPool:     buffers,
		ModifyResponse: addRequestID,
		ErrorHandler:   recordError,
	}
}

// rewrite sends the request to the exchange's target, keeping the Host the
// client asked for. The router is the edge and trusts no one in front of
// it: ReverseProxy drops the client's Forwarded and X-Forwarded-* headers
// before rewrite runs, rewrite also drops X-Real-Ip, which some apps
// trust, and sets X-Forwarded-For, -Host and -Proto afresh.
func rewrite(pr *httputil.ProxyRequest) {
	ex := exchangeFrom(pr.In.Context())
	pr.SetURL(ex.target.url)
	pr.Out.Host = pr.In.Host
	pr.Out.Header.Del("X-Real-Ip")
	pr.SetXForwarded()
	pr.Out.Header.Set(requestIDHeader, ex.requestID)
}

// addRequestID echoes the request id to the client unless the app set one.
func addRequestID(res *http.Response) error {
	if res.Header.Get(requestIDHeader) == "" {
		res.Header.Set(requestIDHeader, exchangeFrom(res.Request.Context()).requestID)
	}
	return nil
}

// recordError keeps the error for ServeHTTP to act on. ReverseProxy calls
// its ErrorHandler only before it has written anything to the client, so
// ServeHTTP may still retry or write an error page.
func recordError(_ http.ResponseWriter, out *http.Request, err error) {
	exchangeFrom(out.Context()).err = err
}

// isConnectionError reports whether err means the target could not be
// reached at all, so the request never got to the app.
func isConnectionError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// isTimeout reports whether err is the app taking too long to answer.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// retryable reports whether req may be sent again to another target: it
// must be idempotent and have no body that the first attempt consumed.
func retryable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return req.Body == nil || req.Body == http.NoBody
	}
	return false
}
