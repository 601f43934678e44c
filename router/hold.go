package router

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gitpaas/paas"
)

// Defaults of HoldOptions.
const (
	DefaultHoldTimeout = 30 * time.Second
	DefaultMaxHeld     = 100
	// holdPoll is how often a held request looks for a healthy instance.
	holdPoll = 10 * time.Millisecond
	// wakeAgain is how long a yes from the Waker is trusted before it is
	// asked again.
	wakeAgain = time.Second
)

// Waker starts one instance of an app that scaled to zero. It reports
// false when app does not scale to zero (or does not exist), in which
// case the request is answered at once as if there were no hold.
type Waker interface {
	Wake(ctx context.Context, app string) (bool, error)
}

// HoldOptions bound the requests held for an app that has no healthy
// instance while it starts.
type HoldOptions struct {
	// Timeout is how long a request is held before a 503.
	Timeout time.Duration
	// MaxHeld is how many requests one app may have held; more get a 503.
	MaxHeld int
}

// holder holds requests for apps that scaled to zero.
type holder struct {
	waker Waker
	opts  HoldOptions

	mu   sync.Mutex
	apps map[string]*holdState
}

// holdState is one app's held requests and its latest wake call.
type holdState struct {
	held    int
	pending chan struct{} // closed when the wake call in flight answers
	ok      bool
	at      time.Time
}

// SetWaker makes requests for an app with no healthy instance wait, within
// opts' bounds, while w starts one, when w says the app scales to zero.
// Without a Waker such requests get a 404 or 503 at once.
func (r *Router) SetWaker(w Waker, opts HoldOptions) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultHoldTimeout
	}
	if opts.MaxHeld <= 0 {
		opts.MaxHeld = DefaultMaxHeld
	}
	r.holder.Store(&holder{waker: w, opts: opts, apps: map[string]*holdState{}})
}

// hold returns the balancer of app once it has a healthy instance, holding
// req while the Waker starts one. It returns lb unchanged when there is
// no Waker, lb already has a healthy instance, the app is in maintenance,
// or the Waker says the app does not scale to zero. When the hold fails
// it answers req (503) and returns nil with answered set.
func (r *Router) hold(req *http.Request, ex *exchange, app string, lb *loadBalancer) (_ *loadBalancer, answered bool) {
	h := r.holder.Load()
	if h == nil || lb != nil && lb.countHealthy(0, nil) > 0 || r.inMaintenance(app) {
		return lb, false
	}
	if !h.enter(app) {
		ex.app = app
		r.reject(req, ex, reasonNoHealthy, wakeFullPage(app, h.opts.MaxHeld), r.retryAfter)
		return nil, true
	}
	defer h.leave(app)
	ctx, cancel := context.WithTimeout(req.Context(), h.opts.Timeout)
	defer cancel()
	if ok, err := h.wake(ctx, app); !ok {
		if err != nil {
			r.logger.Warn("wake app", "app", app, "error", err)
		}
		return lb, false
	}
	start := time.Now()
	for {
		if lb = r.table.Load().lookup(app); lb != nil && lb.countHealthy(0, nil) > 0 {
			r.logger.Info("held request released", "app", app, "request_id", ex.requestID, "held_ms", time.Since(start).Milliseconds())
			return lb, false
		}
		select {
		case <-ctx.Done():
			if req.Context().Err() != nil {
				return nil, true // the client left: no one to answer
			}
			ex.app = app
			r.reject(req, ex, reasonNoHealthy, wakeTimeoutPage(app, h.opts.Timeout), r.retryAfter)
			return nil, true
		case <-time.After(holdPoll):
		}
	}
}

// enter takes a place among app's held requests, if one is free.
func (h *holder) enter(app string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.apps[app]
	if st == nil {
		st = &holdState{}
		h.apps[app] = st
	}
	if st.held >= h.opts.MaxHeld {
		return false
	}
	st.held++
	return true
}

func (h *holder) leave(app string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st := h.apps[app]; st != nil {
		st.held--
		if st.held == 0 && st.pending == nil {
			delete(h.apps, app)
		}
	}
}

// wake asks the Waker once for all of app's held requests, and again only
// after wakeAgain.
func (h *holder) wake(ctx context.Context, app string) (bool, error) {
	h.mu.Lock()
	st := h.apps[app]
	if st.pending == nil && time.Since(st.at) > wakeAgain {
		st.pending = make(chan struct{})
		go h.call(app, st)
	}
	pending, ok := st.pending, st.ok
	h.mu.Unlock()
	if pending == nil {
		return ok, nil
	}
	select {
	case <-pending:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return st.ok, nil
}

// call runs one wake call, bounded by the hold timeout.
func (h *holder) call(app string, st *holdState) {
	ctx, cancel := context.WithTimeout(context.Background(), h.opts.Timeout)
	defer cancel()
	ok, err := h.waker.Wake(ctx, app)
	h.mu.Lock()
	defer h.mu.Unlock()
	st.ok, st.at = ok && err == nil, time.Now()
	close(st.pending)
	st.pending = nil
}

func wakeTimeoutPage(app string, timeout time.Duration) page {
	return page{Status: http.StatusServiceUnavailable, Code: paas.EUNAVAILABLE,
		Message: fmt.Sprintf("app %s was scaled to zero and did not start within %s; try again in a few seconds, and if it keeps failing check the app's logs", app, timeout)}
}

func wakeFullPage(app string, limit int) page {
	return page{Status: http.StatusServiceUnavailable, Code: paas.EUNAVAILABLE,
		Message: fmt.Sprintf("app %s is starting and already has %d requests waiting; try again in a few seconds", app, limit)}
}
