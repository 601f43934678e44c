package router

import (
	"fmt"
	"math"
	"net/http"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// Reasons the router turns a request away itself, as the reason label of
// paas_router_rejected_total.
const (
	reasonRateLimit    = "ratelimit"
	reasonBulkhead     = "bulkhead"
	reasonBodyTooLarge = "body_too_large"
	reasonBodyTimeout  = "body_timeout"
	reasonMaintenance  = "maintenance"
	reasonNoHealthy    = "no_healthy"
)

// bulkheadRetryAfter is the Retry-After of a 503 from a full bulkhead: the
// requests in flight are expected to be done by then.
const bulkheadRetryAfter = "1"

// appState is what the router keeps about one app across Updates: its
// token bucket, its requests in flight and its metrics. A table builds a
// new balancer on each Update, but hands the old state on.
type appState struct {
	name        string
	limiter     *rate.Limiter // nil: no rate limit
	maxInFlight int64         // Unlimited: no bulkhead
	inFlight    atomic.Int64
	metrics     appMetrics
}

func (r *Router) newAppState(app string) *appState {
	s := &appState{name: app, maxInFlight: int64(r.opts.MaxConcurrent), metrics: r.metrics.forApp(app)}
	if r.opts.RateLimit != Unlimited {
		s.limiter = rate.NewLimiter(rate.Limit(r.opts.RateLimit), r.opts.RateBurst)
	}
	return s
}

// allow takes a token from the app's bucket, if it has one to give.
func (s *appState) allow() bool {
	return s.limiter == nil || s.limiter.Allow()
}

// acquire takes a place in the app's bulkhead, and reports false when the
// bulkhead is full. Every true must be followed by one release.
func (s *appState) acquire() bool {
	n := s.inFlight.Add(1)
	if s.maxInFlight != Unlimited && n > s.maxInFlight {
		s.inFlight.Add(-1)
		return false
	}
	return true
}

func (s *appState) release() { s.inFlight.Add(-1) }

// rateRetryAfter is the Retry-After of a 429, in whole seconds: the time
// the bucket takes to refill one token.
func rateRetryAfter(limit float64) string {
	if limit <= 0 {
		return "1"
	}
	return fmt.Sprint(max(1, int(math.Ceil(1/limit))))
}

// tooLarge reports whether req declares a body larger than limit.
func tooLarge(req *http.Request, limit int64) bool {
	return limit != Unlimited && req.ContentLength > limit
}
