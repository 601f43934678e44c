package api

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// RateLimit is a token bucket: Burst attempts at once, then one more each
// Every.
type RateLimit struct {
	Burst int
	Every time.Duration
}

// The default bounds of login attempts. Both apply: a client address may
// try a few users, and a user name can be guessed at from a few addresses.
var (
	DefaultLoginPerIP   = RateLimit{Burst: 20, Every: 6 * time.Second}
	DefaultLoginPerUser = RateLimit{Burst: 5, Every: 20 * time.Second}
)

// maxBuckets bounds the memory of a limiter. Past it, full buckets are
// forgotten; if none is, new keys are refused until some refill, so that a
// flood of addresses fails closed instead of exhausting memory.
const maxBuckets = 100_000

// limiter keeps a token bucket per key. It is safe for concurrent use.
type limiter struct {
	rate RateLimit
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was computed
}

func newLimiter(rate RateLimit, now func() time.Time) *limiter {
	return &limiter{rate: rate, now: now, buckets: map[string]*bucket{}}
}

// take spends one attempt of key. When none is left it reports how long
// until there is.
func (l *limiter) take(key string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets && !l.prune(now) {
			return false, l.rate.Every
		}
		b = &bucket{tokens: float64(l.rate.Burst), at: now}
		l.buckets[key] = b
	}
	b.refill(l.rate, now)
	if b.tokens < 1 {
		return false, time.Duration(math.Ceil((1 - b.tokens) * float64(l.rate.Every)))
	}
	b.tokens--
	return true, 0
}

func (b *bucket) refill(rate RateLimit, now time.Time) {
	b.tokens = min(float64(rate.Burst), b.tokens+float64(now.Sub(b.at))/float64(rate.Every))
	b.at = now
}

// prune forgets the buckets that have refilled, which are as good as new,
// and reports whether it freed any.
func (l *limiter) prune(now time.Time) bool {
	n := len(l.buckets)
	for k, b := range l.buckets {
		if b.refill(l.rate, now); b.tokens >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
	return len(l.buckets) < n
}

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
		if ok, wait := l.take(key); !ok {
			secs := int(math.Ceil(wait.Seconds()))
			c.Header("Retry-After", strconv.Itoa(secs))
			c.Error(paas.Errorf(paas.ERATELIMITED, "too many %s; try again in %d seconds", what, secs))
			c.Abort()
			return
		}
		c.Next()
	}
}
