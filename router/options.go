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
)

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
}

// Validate reports the first field of o that cannot work, as a
// paas.EINVALID error that names the field and its allowed values.
func (o Options) Validate() error {
	if err := validateDomain(o.Domain); err != nil {
		return err
	}
	durations := []struct {
		name string
		d    time.Duration
	}{
		{"health interval", o.HealthInterval},
		{"health timeout", o.HealthTimeout},
		{"response header timeout", o.ResponseHeaderTimeout},
		{"dial timeout", o.DialTimeout},
	}
	for _, f := range durations {
		if f.d < 0 {
			return paas.Errorf(paas.EINVALID, "router: %s is %s; use a positive duration, or 0 for the default", f.name, f.d)
		}
	}
	if o.UnhealthyThreshold < 0 || o.HealthyThreshold < 0 {
		return paas.Errorf(paas.EINVALID, "router: health thresholds are %d/%d (unhealthy/healthy); use 1 or more, or 0 for the default",
			o.UnhealthyThreshold, o.HealthyThreshold)
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
	return o
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// retryAfter is the Retry-After value, in whole seconds, sent with a 503:
// the soonest a target that is down now can be back in rotation.
func (o Options) retryAfter() string {
	wait := o.HealthInterval * time.Duration(o.HealthyThreshold)
	return fmt.Sprint(max(1, int(math.Ceil(wait.Seconds()))))
}

// clip shortens untrusted input before it is echoed back in a message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
