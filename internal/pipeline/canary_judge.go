package pipeline

import (
	"fmt"
	"time"
)

// The canary's analysis, run at the end of each step on the traffic of that
// step: the canary fails when its error rate is above the stable release's
// by more than maxErrorRateRise, or when, with enough requests on both
// sides, its p95 latency is above latencyFactor times the stable one's plus
// latencySlack (a margin for the noise of small numbers).
const (
	minJudgedRequests = 20
	maxErrorRateRise  = 0.05
	latencyFactor     = 1.5
	latencySlack      = 50 * time.Millisecond
)

// traffic is what one release answered during a step.
type traffic struct {
	Requests  int
	ErrorRate float64 // share of 5xx answers
	P95       time.Duration
}

// judge compares a canary's traffic with the stable release's over the same
// step and says whether the canary may go on, and why.
func judge(stable, canary traffic) (ok bool, why string) {
	if canary.Requests < minJudgedRequests {
		return true, fmt.Sprintf("too little traffic to judge (%d requests to the canary); going on", canary.Requests)
	}
	compared := fmt.Sprintf("error rate %.1f%% vs %.1f%%, p95 %s vs %s (%d vs %d requests)",
		100*canary.ErrorRate, 100*stable.ErrorRate, round(canary.P95), round(stable.P95), canary.Requests, stable.Requests)
	if canary.ErrorRate > stable.ErrorRate+maxErrorRateRise {
		return false, "error rate too high: " + compared
	}
	if stable.Requests >= minJudgedRequests &&
		canary.P95 > time.Duration(latencyFactor*float64(stable.P95))+latencySlack {
		return false, "too slow: " + compared
	}
	return true, "healthy: " + compared
}

func round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
