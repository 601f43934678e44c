package autoscale

import (
	"fmt"
	"time"

	"github.com/gitpaas/paas"
)

// panicThreshold is how many times the current count the panic window
// must ask for before the autoscaler acts on it, as Knative's default.
const panicThreshold = 2.0

// Input is everything one decision looks at.
type Input struct {
	Policy paas.AutoscalePolicy
	// Current is the count the process type runs at.
	Current int
	// Stable and Panic are the signals of the long and the short window.
	Stable, Panic Signals
	Now           time.Time
	// LastChange is when the count last changed, for the cooldown.
	LastChange time.Time
	// LastActive is when the app last had a request, in flight or held.
	LastActive time.Time
	// Wanted says a request is waiting for an instance (scaled to zero).
	Wanted   bool
	Cooldown time.Duration
}

// Decision is a count and why.
type Decision struct {
	Count  int
	Reason string
	Panic  bool
}

// vote is what one signal asks for.
type vote struct {
	count  int
	reason string
}

// Decide returns the count the process type should run at. It is pure:
// everything it looks at is in in.
//
// The stable window decides ordinary changes; the panic window scales up
// at once when it asks for at least twice the current count, and while it
// does nothing scales down. Scaling down waits for the cooldown since the
// last change. The bounds always hold; with a lower bound of zero the
// process keeps one instance until it has been idle for the policy's idle
// time, and a waiting request always gets one.
func Decide(in Input) Decision {
	p := in.Policy
	stable := want(p, in.Current, in.Stable)
	d := Decision{Count: stable.count, Reason: stable.reason}
	if pv := want(p, in.Current, in.Panic); float64(pv.count) >= panicThreshold*float64(max(in.Current, 1)) && pv.count > in.Current {
		d = Decision{Count: pv.count, Reason: "panic: " + pv.reason, Panic: true}
	}
	d = bound(in, d)
	if d.Count < in.Current && !d.Panic {
		if wait := in.Cooldown - in.Now.Sub(in.LastChange); wait > 0 {
			return Decision{Count: in.Current, Reason: fmt.Sprintf("%s; cooling down %s before scaling down", d.Reason, wait.Round(time.Second))}
		}
	}
	if d.Panic && d.Count < in.Current {
		d.Count = in.Current
	}
	return d
}

// bound keeps d within the policy's bounds and its idle rule.
func bound(in Input, d Decision) Decision {
	p := in.Policy
	floor := max(p.Min, 1)
	idle := in.Now.Sub(in.LastActive)
	if p.Min == 0 && !in.Wanted && (idle >= p.IdleTimeout() || in.Current == 0 && d.Count == 0) {
		floor = 0
		if in.Current > 0 {
			d.Reason = fmt.Sprintf("no request for %s (idle %s): scale to zero", idle.Round(time.Second), p.IdleTimeout())
		}
	}
	switch {
	case in.Wanted && d.Count < 1:
		return Decision{Count: max(1, floor), Reason: "a request is waiting while scaled to zero", Panic: true}
	case d.Count < floor:
		d.Count, d.Reason = floor, fmt.Sprintf("%s; held at the minimum %d", d.Reason, floor)
	case d.Count > p.Max:
		d.Count, d.Reason = p.Max, fmt.Sprintf("%s; held at the maximum %d", d.Reason, p.Max)
	}
	return d
}

// want is the count the signals of one window ask for: the largest that
// any target set asks for, with the signal that asked.
func want(p paas.AutoscalePolicy, current int, s Signals) vote {
	v := vote{count: 0, reason: "no traffic"}
	consider := func(n int, reason string) {
		if n > v.count || v.reason == "no traffic" {
			v = vote{n, reason}
		}
	}
	if p.Inflight > 0 {
		consider(perInstance(s.InFlight, p.Inflight), fmt.Sprintf("in-flight %.1f, target %d per instance", s.InFlight, p.Inflight))
	}
	if p.RPS > 0 {
		consider(perInstance(s.RPS, p.RPS), fmt.Sprintf("rate %.1f req/s, target %d per instance", s.RPS, p.RPS))
	}
	if p.P95 > 0 && s.P95 > 0 && current > 0 {
		// Latency is not additive: scale the count by how far p95 is from
		// its target.
		n := int(float64(current)*float64(s.P95)/float64(p.P95) + 0.999)
		consider(n, fmt.Sprintf("p95 %s, target %s", s.P95.Round(time.Millisecond), p.P95))
	}
	if s.Requests == 0 && s.InFlight == 0 {
		return vote{count: 0, reason: "no traffic"}
	}
	return v
}

func itoa(n int) string { return fmt.Sprint(n) }
