// Package router is the platform's HTTP edge. It serves app "hello" at
// hello.<domain>, spreading requests round robin across the instances of
// the app that pass their health checks.
//
// The table of instances comes from outside, whole, through Update; the
// router never imports the scheduler that produces it. Requests read the
// table through an atomic pointer and never wait for an Update.
package router

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"sync"
	"sync/atomic"

	"github.com/gitpaas/paas"
)

// Router is an http.Handler that proxies each request to a healthy instance
// of the app its Host header names. Create one with New and release it with
// Close.
type Router struct {
	opts       Options
	logger     *slog.Logger
	limits     thresholds
	retryAfter string

	transport *http.Transport
	proxy     *httputil.ReverseProxy
	checks    *http.Client

	table atomic.Pointer[table]

	ctx    context.Context // parent of every target; done once closed
	cancel context.CancelFunc
	wg     sync.WaitGroup // one per running health check

	mu     sync.Mutex // serializes Update and Close
	closed bool
}

var _ http.Handler = (*Router)(nil)

// New returns a Router with an empty table. Durations and thresholds of
// opts that are unset or negative take their defaults, so call Validate
// first to report them; a nil logger discards.
func New(opts Options, logger *slog.Logger) *Router {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	transport := newTransport(opts)
	ctx, cancel := context.WithCancel(context.Background())
	r := &Router{
		opts:       opts,
		logger:     logger,
		limits:     thresholds{healthy: opts.HealthyThreshold, unhealthy: opts.UnhealthyThreshold},
		retryAfter: opts.retryAfter(),
		transport:  transport,
		proxy:      newReverseProxy(transport),
		checks:     newHealthClient(transport),
		ctx:        ctx,
		cancel:     cancel,
	}
	r.table.Store(newTable())
	return r
}

// Update replaces the routing table with instances, the full set of
// routable instances of every app. Instances already known keep their
// health; new ones are checked at once and get traffic once healthy;
// missing ones stop being checked, while their requests in flight complete.
// Update after Close does nothing.
func (r *Router) Update(instances []paas.Instance) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	ch := r.buildTable(r.table.Load(), instances)
	r.table.Store(ch.next)
	for _, t := range ch.added {
		r.startCheck(t)
	}
	for _, t := range ch.removed {
		t.stop()
		t.logger.Info("target removed")
	}
}

// startCheck runs t's health check in a goroutine of its own.
func (r *Router) startCheck(t *target) {
	t.logger.Info("target added", "health_path", t.inst.HealthPath)
	hc := &healthCheck{client: r.checks, target: t, interval: r.opts.HealthInterval, timeout: r.opts.HealthTimeout}
	r.wg.Go(hc.run)
}

// Close stops every health check and waits for them to return. The router
// keeps serving from its last table, with health frozen as it was.
func (r *Router) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	r.transport.CloseIdleConnections()
}

// ServeHTTP routes req by its Host header: to a healthy instance of the app
// it names, or to an error page when there is none.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ex := &exchange{requestID: requestID(req.Header.Get(requestIDHeader))}
	if !r.logger.Enabled(req.Context(), slog.LevelDebug) {
		r.serve(w, req, ex)
		return
	}
	rec := newStatusRecorder(w)
	r.serve(rec, req, ex)
	r.logRequest(req, ex, rec)
}

func (r *Router) serve(w http.ResponseWriter, req *http.Request, ex *exchange) {
	app, ok := appFromHost(req.Host, r.opts.Domain)
	lb := r.table.Load().lookup(app)
	if !ok || lb == nil {
		r.writeError(w, req, ex, notFoundPage(req.Host))
		return
	}
	ex.app = app
	r.forward(w, withExchange(req, ex), lb, ex)
}

// forward proxies req to the next healthy target of lb. When that target
// cannot be reached, an idempotent request without a body goes once more
// to another healthy target.
func (r *Router) forward(w http.ResponseWriter, req *http.Request, lb *loadBalancer, ex *exchange) {
	t := lb.pick(nil)
	if t == nil {
		w.Header().Set("Retry-After", r.retryAfter)
		r.writeError(w, req, ex, unavailablePage(ex.app))
		return
	}
	err := r.attempt(w, req, ex, t)
	if err != nil && isConnectionError(err) && retryable(req) {
		if next := lb.pick(t); next != nil {
			err = r.attempt(w, req, ex, next)
		}
	}
	if err != nil {
		r.proxyFailed(w, req, ex)
	}
}

// attempt proxies req to t and returns the error that kept the proxy from
// writing a response, if any. A target that refuses the connection leaves
// rotation at once; a client that hung up says nothing about the target.
func (r *Router) attempt(w http.ResponseWriter, req *http.Request, ex *exchange, t *target) error {
	ex.target, ex.err = t, nil
	r.proxy.ServeHTTP(w, req)
	if ex.err != nil && isConnectionError(ex.err) && req.Context().Err() == nil {
		t.connectionFailed(ex.err)
	}
	return ex.err
}

// proxyFailed answers a request whose last attempt failed: 504 when the app
// was too slow, 502 otherwise, nothing when the client is gone.
func (r *Router) proxyFailed(w http.ResponseWriter, req *http.Request, ex *exchange) {
	if req.Context().Err() != nil {
		return
	}
	p := badGatewayPage(ex.app)
	if isTimeout(ex.err) && !isConnectionError(ex.err) {
		p = gatewayTimeoutPage(ex.app, r.opts.ResponseHeaderTimeout)
	}
	r.writeError(w, req, ex, p)
}

func (r *Router) writeError(w http.ResponseWriter, req *http.Request, ex *exchange, p page) {
	p.RequestID = ex.requestID
	w.Header().Set(requestIDHeader, ex.requestID)
	writePage(w, req, p)
}
