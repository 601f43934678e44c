package autoscale

import (
	"math"
	"time"
)

// Signals are what the router saw of an app's traffic over a window.
type Signals struct {
	// InFlight is the mean number of requests in flight.
	InFlight float64
	// RPS is requests answered per second.
	RPS float64
	// P95 is the 95th percentile latency, 0 when no request was answered.
	P95 time.Duration
	// Requests is how many requests were answered.
	Requests float64
}

// history keeps an app's recent samples, oldest first.
type history struct {
	samples []*sample
	keep    time.Duration
}

// add appends s and drops samples older than the longest window.
func (h *history) add(s *sample) {
	h.samples = append(h.samples, s)
	cut := 0
	for cut < len(h.samples)-1 && s.at.Sub(h.samples[cut].at) > h.keep {
		cut++
	}
	h.samples = h.samples[cut:]
}

// signals sums up the samples of the last window before now.
func (h *history) signals(now time.Time, window time.Duration) Signals {
	var in []*sample
	for _, s := range h.samples {
		if now.Sub(s.at) <= window {
			in = append(in, s)
		}
	}
	if len(in) == 0 {
		return Signals{}
	}
	var sig Signals
	for _, s := range in {
		sig.InFlight += s.inFlight
	}
	sig.InFlight /= float64(len(in))
	first, last := in[0], in[len(in)-1]
	// The sample before the window is the baseline of its counters, so
	// that a window of one sample still sees the requests in it.
	if i := indexOf(h.samples, first); i > 0 {
		first = h.samples[i-1]
	}
	if first == last {
		return sig
	}
	for i := 1; i < len(h.samples); i++ {
		prev, cur := h.samples[i-1], h.samples[i]
		if cur.at.After(first.at) && !cur.at.After(last.at) {
			sig.Requests += counterDelta(prev.requests, cur.requests)
		}
	}
	if dt := last.at.Sub(first.at).Seconds(); dt > 0 {
		sig.RPS = sig.Requests / dt
	}
	sig.P95 = quantile(0.95, last.bounds, first.buckets, last.buckets)
	return sig
}

// counterDelta is how much a counter grew, counting from zero when it went
// back (the router restarted).
func counterDelta(before, after float64) float64 {
	if after < before {
		return after
	}
	return after - before
}

func indexOf(ss []*sample, s *sample) int {
	for i := range ss {
		if ss[i] == s {
			return i
		}
	}
	return -1
}

// perInstance is ceil(total/target), the instances that keep each at or
// under target.
func perInstance(total float64, target int) int {
	if target <= 0 || total <= 0 {
		return 0
	}
	return int(math.Ceil(total/float64(target) - 1e-9))
}
