package router

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// Defaults for the fields of Options left at their zero value.
const (
	DefaultDomain                = "localhost"
	DefaultHealthPath            = "/"
	DefaultHealthInterval        = time.Second
	DefaultHealthTimeout         = 2 * time.Second
	DefaultUnhealthyThreshold    = 2
	DefaultHealthyThreshold      = 1
	DefaultResponseHeaderTimeout = 30 * time.Second
	DefaultDialTimeout           = 5 * time.Second

	// DefaultMaxConcurrent is how many requests one app may have in flight
	// through the router; past it, requests get a 503 at once rather than
	// queueing behind an app that is already slow.
	DefaultMaxConcurrent = 256
	// DefaultRateLimit and DefaultRateBurst are the token bucket of one app:
	// requests per second on average, and how many may come at once.
	DefaultRateLimit = 1000
	DefaultRateBurst = 2000
	// DefaultMaxBodyBytes bounds a request body: 64 MiB.
	DefaultMaxBodyBytes = 64 << 20
	// DefaultBodyReadTimeout is the longest wait for the next bytes of a
	// request body, as nginx's client_body_timeout (which is 60s too).
	DefaultBodyReadTimeout = 60 * time.Second

	// DefaultMaxHeaderBytes bounds the request line and headers; past it
	// the server answers 431. Go's own default, 1 MiB, is far more than
	// any browser sends.
	DefaultMaxHeaderBytes = 64 << 10
	// DefaultReadHeaderTimeout bounds reading the request line and headers,
	// so that a client trickling them (slowloris) cannot hold a connection.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultIdleTimeout is how long a client's keep-alive connection may
	// wait for its next request.
	DefaultIdleTimeout = 120 * time.Second
	// DefaultDrainTimeout is how long websockets and event streams may
	// stay open on a release that no longer takes traffic.
	DefaultDrainTimeout = 30 * time.Second
)

// Unlimited, as MaxConcurrent, RateLimit or MaxBodyBytes, turns that limit
// off.
const Unlimited = -1

// Options configures a Router. The zero value of every field means its
// Default* constant, so Options{} is a working configuration.
type Options struct {
	// Domain is the platform domain: app "hello" is served at
	// hello.<Domain>, on any port.
	Domain string

	// HealthInterval is the time between two active checks of a target;
	// HealthTimeout bounds one check.
	HealthInterval time.Duration
	HealthTimeout  time.Duration

	// UnhealthyThreshold is the number of consecutive failed checks that
	// takes a healthy target out of rotation; HealthyThreshold is the
	// number of consecutive passing checks that puts it (back) in.
	UnhealthyThreshold int
	HealthyThreshold   int

	// ResponseHeaderTimeout bounds the wait for an app's response headers
	// once the request is sent; past it the client gets a 504.
	ResponseHeaderTimeout time.Duration

	// DialTimeout bounds opening a connection to a target.
	DialTimeout time.Duration

	// MaxConcurrent is the number of requests in flight to one app past
	// which the router answers 503 (the bulkhead). Unlimited turns it off.
	MaxConcurrent int

	// RateLimit is the requests per second one app may receive on
	// average, and RateBurst how many above that it may receive at once;
	// past them the router answers 429. A RateLimit of Unlimited turns the
	// limit off.
	RateLimit float64
	RateBurst int

	// MaxBodyBytes bounds a request body: a larger Content-Length gets a
	// 413 at once, and a streamed body is cut with a 413 when it passes
	// the limit. Unlimited turns it off.
	MaxBodyBytes int64

	// BodyReadTimeout is the longest the router waits for the next bytes
	// of a request body before it gives up with a 408. It does not bound
	// the response, so long downloads and event streams are unaffected.
	BodyReadTimeout time.Duration

	// MaxHeaderBytes, ReadHeaderTimeout and IdleTimeout configure the
	// server that NewServer returns.
	MaxHeaderBytes    int
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	// DrainTimeout is how long the websockets and event streams of a
	// release that lost its traffic may stay open before the router closes
	// them. Plain requests always finish.
	DrainTimeout time.Duration

	// AccessLog logs one line per request at Info. Without it, the line is
	// logged at Debug.
	AccessLog bool

	// StateFile, when set, is where every Update and SetMaintenance saves
	// the routing table, atomically, for ReadSnapshot to load at the next
	// start.
	StateFile string
}

// Validate reports the first field of o that cannot work, as a
// paas.EINVALID error that names the field and its allowed values.
func (o Options) Validate() error {
	if err := validateDomain(o.Domain); err != nil {
		return err
	}
	if err := o.validateDurations(); err != nil {
		return err
	}
	if o.UnhealthyThreshold < 0 || o.HealthyThreshold < 0 {
		return paas.Errorf(paas.EINVALID, "router: health thresholds are %d/%d (unhealthy/healthy); use 1 or more, or 0 for the default",
			o.UnhealthyThreshold, o.HealthyThreshold)
	}
	return o.validateLimits()
}

func (o Options) validateDurations() error {
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"health interval", o.HealthInterval},
		{"health timeout", o.HealthTimeout},
		{"response header timeout", o.ResponseHeaderTimeout},
		{"dial timeout", o.DialTimeout},
		{"body read timeout", o.BodyReadTimeout},
		{"read header timeout", o.ReadHeaderTimeout},
		{"idle timeout", o.IdleTimeout},
	}
	for _, f := range durations {
		if f.d < 0 {
			return paas.Errorf(paas.EINVALID, "router: %s is %s; use a positive duration, or 0 for the default", f.name, f.d)
		}
	}
	return nil
}

func (o Options) validateLimits() error {
	limits := []struct {
		name string
		v    float64
	}{
		{"max concurrent requests", float64(o.MaxConcurrent)},
		{"rate limit", o.RateLimit},
		{"max body bytes", float64(o.MaxBodyBytes)},
	}
	for _, f := range limits {
		if f.v < 0 && f.v != Unlimited || math.IsNaN(f.v) {
			return paas.Errorf(paas.EINVALID, "router: %s is %v; use a positive number, 0 for the default, or -1 for no limit", f.name, f.v)
		}
	}
	if o.RateBurst < 0 {
		return paas.Errorf(paas.EINVALID, "router: rate burst is %d; use 1 or more, or 0 for the default", o.RateBurst)
	}
	if o.MaxHeaderBytes < 0 {
		return paas.Errorf(paas.EINVALID, "router: max header bytes is %d; use a positive number, or 0 for the default", o.MaxHeaderBytes)
	}
	return nil
}

// validateDomain accepts "" (the default) and host names made of DNS labels.
func validateDomain(domain string) error {
	d := normalizeDomain(domain)
	if domain == "" {
		return nil
	}
	if len(d) == 0 || len(d) > maxHostLen/2 {
		return paas.Errorf(paas.EINVALID, "router: domain %q is not a host name; use one such as apps.example.com", clip(domain))
	}
	for _, label := range strings.Split(d, ".") {
		if !validLabel(label) {
			return paas.Errorf(paas.EINVALID, "router: domain %q has the invalid label %q; use letters, digits and dashes", clip(domain), clip(label))
		}
	}
	return nil
}

// normalizeDomain lower-cases domain and drops the dots around it, so that
// "Apps.Example.com." and "apps.example.com" mean the same.
func normalizeDomain(domain string) string {
	return strings.Trim(strings.ToLower(domain), ".")
}

// withDefaults returns o with every unset or unusable field replaced by its
// default, so that New never starts a ticker on a negative interval.
// Unlimited stays as it is.
func (o Options) withDefaults() Options {
	o.Domain = normalizeDomain(o.Domain)
	if o.Domain == "" {
		o.Domain = DefaultDomain
	}
	o.HealthInterval = orDefault(o.HealthInterval, DefaultHealthInterval)
	o.HealthTimeout = orDefault(o.HealthTimeout, DefaultHealthTimeout)
	o.ResponseHeaderTimeout = orDefault(o.ResponseHeaderTimeout, DefaultResponseHeaderTimeout)
	o.DialTimeout = orDefault(o.DialTimeout, DefaultDialTimeout)
	o.UnhealthyThreshold = orDefault(o.UnhealthyThreshold, DefaultUnhealthyThreshold)
	o.HealthyThreshold = orDefault(o.HealthyThreshold, DefaultHealthyThreshold)
	o.MaxConcurrent = limitOrDefault(o.MaxConcurrent, DefaultMaxConcurrent)
	o.RateLimit = limitOrDefault(o.RateLimit, DefaultRateLimit)
	o.RateBurst = orDefault(o.RateBurst, DefaultRateBurst)
	o.MaxBodyBytes = limitOrDefault(o.MaxBodyBytes, DefaultMaxBodyBytes)
	o.BodyReadTimeout = orDefault(o.BodyReadTimeout, DefaultBodyReadTimeout)
	o.MaxHeaderBytes = orDefault(o.MaxHeaderBytes, DefaultMaxHeaderBytes)
	o.ReadHeaderTimeout = orDefault(o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	o.IdleTimeout = orDefault(o.IdleTimeout, DefaultIdleTimeout)
	o.DrainTimeout = orDefault(o.DrainTimeout, DefaultDrainTimeout)
	return o
}

func orDefault[T int | int64 | float64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// limitOrDefault is orDefault for a limit that may be Unlimited.
func limitOrDefault[T int | int64 | float64](v, def T) T {
	if v == Unlimited {
		return v
	}
	return orDefault(v, def)
}

// retryAfter is the Retry-After value, in whole seconds, sent with a 503:
// the soonest a target that is down now can be back in rotation.
func (o Options) retryAfter() string {
	wait := o.HealthInterval * time.Duration(o.HealthyThreshold)
	return fmt.Sprint(max(1, int(math.Ceil(wait.Seconds()))))
}

// clip shortens untrusted input before it is echoed back in a message.
func clip(s string) string {
	return clipTo(s, 40)
}

// clipTo shortens s to at most n bytes and a mark.
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
