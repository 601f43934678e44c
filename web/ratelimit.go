package web

import (
	"math"
	"strconv"
	"sync"
	"time"
)

// RateLimit is a token bucket: Burst attempts at once, then one more each
// Every.
type RateLimit struct {
	Burst int
	Every time.Duration
}

// The default bounds of login attempts, the API's: a client address may
// try a few users, and a user name can be guessed at from few addresses.
var (
	DefaultLoginPerIP   = RateLimit{Burst: 20, Every: 6 * time.Second}
	DefaultLoginPerUser = RateLimit{Burst: 5, Every: 20 * time.Second}
)

// maxBuckets bounds a limiter's memory. Past it full buckets are
// forgotten; if none is, new keys are refused (fail closed).
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
	at     time.Time
}

func newLimiter(rate RateLimit, now func() time.Time) *limiter {
	return &limiter{rate: rate, now: now, buckets: map[string]*bucket{}}
}

// take spends one attempt of key, or says in how many seconds there is
// one again.
func (l *limiter) take(key string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets && !l.prune(now) {
			return false, int(l.rate.Every.Seconds()) + 1
		}
		b = &bucket{tokens: float64(l.rate.Burst), at: now}
		l.buckets[key] = b
	}
	b.tokens = min(float64(l.rate.Burst), b.tokens+float64(now.Sub(b.at))/float64(l.rate.Every))
	b.at = now
	if b.tokens < 1 {
		wait := (1 - b.tokens) * l.rate.Every.Seconds()
		return false, max(1, int(math.Ceil(wait)))
	}
	b.tokens--
	return true, 0
}

func (l *limiter) prune(now time.Time) bool {
	n := len(l.buckets)
	for k, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.rate.Every) >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
	return len(l.buckets) < n
}

func retryAfter(secs int) string { return strconv.Itoa(secs) }
