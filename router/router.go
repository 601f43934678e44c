// Package router is the platform's HTTP edge. It serves app "hello" at
// hello.<domain>, spreading requests round robin across the instances of
// the app that pass their health checks.
//
// The table of instances comes from outside, whole, through Update; the
// router never imports the scheduler that produces it. Requests read the
// table through an atomic pointer and never wait for an Update.
//
// Every app gets the same edge limits (Options): a rate limit, a bulkhead
// on requests in flight, a bound on request bodies and on the time a
// client may take to send one. Apps can be put in maintenance mode.
package router

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitpaas/paas"
)

// Router is an http.Handler that proxies each request to a healthy instance
// of the app its Host header names. Create one with New and release it with
// Close.
type Router struct {
	opts           Options
	logger         *slog.Logger
	limits         thresholds
	retryAfter     string
	rateRetryAfter string

	transport *http.Transport
	proxy     *httputil.ReverseProxy
	upstream  *upstream // the lean path's client (lean_proxy.go)
	buffers   *bufferPool
	checks    *http.Client
	metrics   *metrics

	table       atomic.Pointer[table]
	maintenance atomic.Pointer[map[string]bool]
	routes      atomic.Pointer[map[string]paas.Route]
	domains     atomic.Pointer[domainTable] // custom domains (domains.go)
	holder      atomic.Pointer[holder]      // scale to zero (hold.go); nil: off
	active      atomic.Int64                // requests in ServeHTTP, for Drain

	ctx    context.Context // parent of every target; done once closed
	cancel context.CancelFunc
	wg     sync.WaitGroup // one per running health check

	mu     sync.Mutex // serializes Update, SetMaintenance and Close
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
	buffers := newBufferPool()
	ctx, cancel := context.WithCancel(context.Background())
	r := &Router{
		opts:           opts,
		logger:         logger,
		limits:         thresholds{healthy: opts.HealthyThreshold, unhealthy: opts.UnhealthyThreshold},
		retryAfter:     opts.retryAfter(),
		rateRetryAfter: rateRetryAfter(opts.RateLimit),
		transport:      transport,
		proxy:          newReverseProxy(transport, buffers),
		upstream:       newUpstream(opts, buffers),
		buffers:        buffers,
		checks:         newHealthClient(transport),
		ctx:            ctx,
		cancel:         cancel,
	}
	r.metrics = newMetrics(r)
	r.table.Store(newTable())
	r.maintenance.Store(&map[string]bool{})
	r.routes.Store(&map[string]paas.Route{})
	r.domains.Store(newDomainTable())
	return r
}

// Update replaces the routing table with instances, the full set of
// routable instances of every app, and saves it to the state file if
// there is one. Instances already known keep their health; new ones are
// checked at once and get traffic once healthy; missing ones stop being
// checked, while their requests in flight complete. Update after Close
// does nothing.
func (r *Router) Update(instances []paas.Instance) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.update(instances)
	r.save()
}

// update must be called with r.mu held.
func (r *Router) update(instances []paas.Instance) {
	old := r.table.Load()
	ch := r.buildTable(old, instances)
	r.table.Store(ch.next)
	for _, t := range ch.added {
		r.startCheck(t)
	}
	for _, t := range ch.removed {
		t.stop()
		t.conns.closeIdle(true)
		t.logger.Info("target removed")
	}
	r.metrics.forgetGone(old, ch.next)
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
	for _, t := range r.table.Load().targets {
		t.conns.closeIdle(false)
	}
}

// ServeHTTP routes req by its Host header: to a healthy instance of the app
// it names, or to an error page when there is none or when the app's
// limits turn req away.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.active.Add(1)
	defer r.active.Add(-1)
	ex := &exchange{requestID: requestID(req.Header.Get(requestIDHeader)), start: time.Now(), bucket: -1}
	ex.rec.ResponseWriter = w
	ex.body = r.guardBody(w, req)
	// Deferred, since the proxy aborts a response that fails half way by
	// panicking with http.ErrAbortHandler.
	defer r.finish(req, ex)
	r.serve(req, ex)
}

func (r *Router) serve(req *http.Request, ex *exchange) {
	// <app>.<domain>, else a custom domain (domains.go).
	app, ok := r.appOf(req.Host)
	if !ok {
		r.writeError(req, ex, notFoundPage(req.Host))
		return
	}
	lb := r.table.Load().lookup(app)
	// Scale to zero: wait for an instance of an app that has none (hold.go).
	lb, answered := r.hold(req, ex, app, lb)
	if answered {
		return
	}
	if lb != nil {
		ex.app, ex.state = app, lb.state
	}
	if r.inMaintenance(app) {
		ex.app = app
		r.reject(req, ex, reasonMaintenance, maintenancePage(app), maintenanceRetryAfter)
		return
	}
	if lb == nil {
		r.writeError(req, ex, notFoundPage(req.Host))
		return
	}
	if !r.admit(req, ex) {
		return
	}
	defer ex.state.release()
	r.forward(req, lb, ex)
}

// admit applies the app's limits to req, cheapest first: its rate limit,
// the body size req declares, then a place in its bulkhead. When one turns
// req away, admit answers and returns false; when it returns true, the
// caller must release the place in the bulkhead.
func (r *Router) admit(req *http.Request, ex *exchange) bool {
	switch {
	case !ex.state.allow():
		r.reject(req, ex, reasonRateLimit, rateLimitedPage(ex.app), r.rateRetryAfter)
	case tooLarge(req, r.opts.MaxBodyBytes):
		r.reject(req, ex, reasonBodyTooLarge, bodyTooLargePage(r.opts.MaxBodyBytes), "")
	case !ex.state.acquire():
		r.reject(req, ex, reasonBulkhead, overloadedPage(ex.app, r.opts.MaxConcurrent), bulkheadRetryAfter)
	default:
		return true
	}
	return false
}

// forward proxies req to the next healthy target of lb. When that target
// cannot be reached, an idempotent request without a body goes once more
// to another healthy target.
func (r *Router) forward(req *http.Request, lb *loadBalancer, ex *exchange) {
	t := r.routed(req, ex, lb, nil)
	if t == nil {
		r.reject(req, ex, reasonNoHealthy, unavailablePage(ex.app), r.retryAfter)
		return
	}
	err := r.attempt(req, ex, t)
	if err != nil && isConnectionError(err) && retryable(req) {
		if next := r.routed(req, ex, lb, t); next != nil {
			err = r.attempt(req, ex, next)
		}
	}
	if err != nil {
		r.proxyFailed(req, ex)
	}
}

// attempt proxies req to t and returns the error that kept the proxy from
// writing a response, if any. A target that refuses the connection leaves
// rotation at once; a client that hung up says nothing about the target.
// Plain requests take the lean path (lean_proxy.go), the others Go's
// ReverseProxy.
func (r *Router) attempt(req *http.Request, ex *exchange, t *target) error {
	ex.target, ex.err = t, nil
	if leanEligible(req) {
		ex.err = r.serveLean(req, ex, t)
	} else {
		r.reverseProxy(req, ex, t)
	}
	if ex.err != nil && isConnectionError(ex.err) && req.Context().Err() == nil {
		t.connectionFailed(ex.err)
	}
	return ex.err
}

// reverseProxy proxies req to t through Go's ReverseProxy and Transport,
// which record a failure in ex.err. Long-lived requests are tracked, to be
// closed when t's release stops taking traffic.
func (r *Router) reverseProxy(req *http.Request, ex *exchange, t *target) {
	ctx := context.WithValue(req.Context(), exchangeKey{}, ex)
	if isLongLived(req) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer t.trackStream(cancel)()
	}
	r.proxy.ServeHTTP(&ex.rec, req.WithContext(ctx))
}

// proxyFailed answers a request whose last attempt failed: 413 or 408 when
// the client's body was too large or too slow, 504 when the app was too
// slow, 502 otherwise, and nothing when the client is gone.
func (r *Router) proxyFailed(req *http.Request, ex *exchange) {
	if err := ex.body.failure(); err != nil {
		r.bodyFailed(req, ex, err)
		return
	}
	if req.Context().Err() != nil {
		return
	}
	p := badGatewayPage(ex.app)
	if isTimeout(ex.err) && !isConnectionError(ex.err) {
		p = gatewayTimeoutPage(ex.app, r.opts.ResponseHeaderTimeout)
	}
	r.writeError(req, ex, p)
}

// bodyFailed answers a request whose body could not be read on its way to
// the app: 413 past the size limit, 408 when the client stalled, nothing
// when it hung up, and 400 when the body was malformed. The server closes the connection after the
// answer, since what is left of the body is still on it.
func (r *Router) bodyFailed(req *http.Request, ex *exchange, err error) {
	switch {
	case isBodyTooLarge(err):
		r.reject(req, ex, reasonBodyTooLarge, bodyTooLargePage(r.opts.MaxBodyBytes), "")
	case isReadTimeout(err):
		r.reject(req, ex, reasonBodyTimeout, bodyTimeoutPage(r.opts.BodyReadTimeout), "")
	case req.Context().Err() != nil:
		// The client hung up half way: no one to answer.
	default:
		ex.rec.Header().Set("Connection", "close")
		r.writeError(req, ex, badBodyPage())
	}
}

// reject answers req with p on the router's behalf and counts why.
func (r *Router) reject(req *http.Request, ex *exchange, reason string, p page, retryAfter string) {
	if ex.state != nil {
		ex.state.metrics.rejected[reason].Inc()
	} else {
		r.metrics.rejected.WithLabelValues(ex.app, reason).Inc()
	}
	if retryAfter != "" {
		ex.rec.Header().Set("Retry-After", retryAfter)
	}
	r.writeError(req, ex, p)
}

func (r *Router) writeError(req *http.Request, ex *exchange, p page) {
	p.RequestID = ex.requestID
	ex.rec.Header().Set(requestIDHeader, ex.requestID)
	writePage(&ex.rec, req, p)
}

// finish ends the request's exchange: it gives the client's connection
// back to the server, then counts and logs the request.
func (r *Router) finish(req *http.Request, ex *exchange) {
	ex.body.finish()
	status := statusOf(req, &ex.rec)
	d := time.Since(ex.start)
	r.observe(ex.app, ex.state, ex.target, status, d)
	r.logAccess(req, ex, status, d)
}

// observe counts a request to app under the release it reached (t),
// else under its app, else under no app; the edge's requests too.
func (r *Router) observe(app string, state *appState, t *target, status int, d time.Duration) {
	switch {
	case t != nil:
		t.metrics.observe(status, d)
	case state != nil:
		state.metrics.noTarget.observe(status, d)
	case app != "": // in maintenance, and not in the table
		rm := r.metrics.forRelease(app, "")
		rm.observe(status, d)
	default:
		r.metrics.unmatched.observe(status, d)
	}
}
