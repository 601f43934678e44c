package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/ratelimit"
)

// RateLimit is a token bucket: Burst attempts at once, then one more each
// Every.
type RateLimit = ratelimit.Rate

// The default bounds of login attempts (internal/ratelimit).
var (
	DefaultLoginPerIP   = ratelimit.DefaultLoginPerIP
	DefaultLoginPerUser = ratelimit.DefaultLoginPerUser
)

// limiter keeps a token bucket per key.
type limiter = ratelimit.Limiter

func newLimiter(rate RateLimit, now func() time.Time) *limiter { return ratelimit.New(rate, now) }

// DefaultTokenCreates bounds how fast one user mints tokens: a leaked
// login cannot be turned into a flood of long-lived credentials.
var DefaultTokenCreates = RateLimit{Burst: 10, Every: time.Minute}

// limitPerUser answers 429 with Retry-After when the caller has used up
// the route's attempts.
func limitPerUser(l *limiter, what string) gin.HandlerFunc {
	return func(c *gin.Context) {
		user := currentUser(c)
		key := ""
		if user != nil {
			key = user.Name
		}
		if ok, wait := l.Take(key); !ok {
			secs := ratelimit.RetryAfterSeconds(wait)
			c.Header("Retry-After", strconv.Itoa(secs))
			c.Error(paas.Errorf(paas.ERATELIMITED, "too many %s; try again in %d seconds", what, secs))
			c.Abort()
			return
		}
		c.Next()
	}
}
