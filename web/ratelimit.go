package web

import (
	"strconv"
	"time"

	"github.com/gitpaas/paas/internal/ratelimit"
)

// RateLimit is a token bucket: Burst attempts at once, then one more each
// Every.
type RateLimit = ratelimit.Rate

// The default bounds of login attempts, the API's (internal/ratelimit).
var (
	DefaultLoginPerIP   = ratelimit.DefaultLoginPerIP
	DefaultLoginPerUser = ratelimit.DefaultLoginPerUser
)

type limiter = ratelimit.Limiter

func newLimiter(rate RateLimit, now func() time.Time) *limiter { return ratelimit.New(rate, now) }

// retryAfter is a Retry-After header's value for a wait.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(ratelimit.RetryAfterSeconds(wait))
}
