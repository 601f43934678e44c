// Package ratelimit keeps token buckets by key, for the attempts that must
// stay slow however many come: logins per client address and per user
// name, token creation per user.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Rate is a token bucket: Burst attempts at once, then one more each
// Every.
type Rate struct {
	Burst int
	Every time.Duration
}

// The default bounds of login attempts, for the API and the console alike.
// Both apply: a client address may try a few users, and a user name can be
// guessed at from a few addresses.
var (
	DefaultLoginPerIP   = Rate{Burst: 20, Every: 6 * time.Second}
	DefaultLoginPerUser = Rate{Burst: 5, Every: 20 * time.Second}
)

// maxBuckets bounds the memory of a Limiter. Past it, full buckets are
// forgotten; if none is, new keys are refused until some refill, so that a
// flood of addresses fails closed instead of exhausting memory.
const maxBuckets = 100_000

// Limiter keeps a token bucket per key. It is safe for concurrent use.
type Limiter struct {
	rate Rate
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was computed
}

// New returns a Limiter of rate whose clock is now (time.Now when nil).
func New(rate Rate, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: rate, now: now, buckets: map[string]*bucket{}}
}

// Take spends one attempt of key. When none is left it reports how long
// until there is.
func (l *Limiter) Take(key string) (ok bool, retryAfter time.Duration) {
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

// RetryAfterSeconds is wait as a Retry-After header wants it: whole
// seconds, at least 1.
func RetryAfterSeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

func (b *bucket) refill(rate Rate, now time.Time) {
	b.tokens = min(float64(rate.Burst), b.tokens+float64(now.Sub(b.at))/float64(rate.Every))
	b.at = now
}

// prune forgets the buckets that have refilled, which are as good as new,
// and reports whether it freed any.
func (l *Limiter) prune(now time.Time) bool {
	n := len(l.buckets)
	for k, b := range l.buckets {
		if b.refill(l.rate, now); b.tokens >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
	return len(l.buckets) < n
}
