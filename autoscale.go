package paas

import (
	"fmt"
	"time"
)

// Limits of an autoscaling policy.
const (
	MaxAutoscaleCount   = 100
	MinTargetP95        = 10 * time.Millisecond
	MaxTargetP95        = time.Minute
	MaxTargetInflight   = 10000
	MaxTargetRPS        = 1000000
	MinIdleTimeout      = 5 * time.Second
	MaxIdleTimeout      = 24 * time.Hour
	DefaultIdleTimeout  = 5 * time.Minute
	AutoscaleSourceYML  = "app.yml"
	AutoscaleSourceUser = "cli"
)

// EventScale is the kind of event the autoscaler records when it changes
// the count of a process type, with the signal, value and target behind it.
const EventScale = "scale"

// AutoscaleTargets are the signals a process type scales on: the count is
// the one that satisfies every target set. At least one is set.
type AutoscaleTargets struct {
	// Inflight is the requests in flight one instance should carry.
	Inflight int `json:"target_inflight,omitempty"`
	// RPS is the requests per second one instance should serve.
	RPS int `json:"target_rps,omitempty"`
	// P95 is the 95th percentile latency to keep under.
	P95 time.Duration `json:"target_p95,omitempty"`
	// Idle is how long the web process must see no request before it goes
	// to zero; it applies only when the lower bound is zero.
	Idle time.Duration `json:"idle,omitempty"`
}

// AutoscalePolicy is how one process type of an app follows its traffic.
// A policy set through the API overrides the one app.yml declares; a
// disabled one turns autoscaling off whatever app.yml says.
type AutoscalePolicy struct {
	App     string `json:"app"`
	Process string `json:"process"`
	Enabled bool   `json:"enabled"`
	// Min and Max bound the count. Min 0 lets web scale to zero.
	Min int `json:"min"`
	Max int `json:"max"`
	AutoscaleTargets
	// Source says where the policy comes from: app.yml or the CLI.
	Source    string    `json:"source"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// ScaleToZero reports whether the policy lets its process go to zero.
func (p AutoscalePolicy) ScaleToZero() bool { return p.Enabled && p.Min == 0 }

// IdleTimeout is how long web waits without traffic before going to zero.
func (p AutoscalePolicy) IdleTimeout() time.Duration {
	if p.Idle == 0 {
		return DefaultIdleTimeout
	}
	return p.Idle
}

// Validate reports what is wrong with an enabled policy, in words that say
// what to change.
func (p AutoscalePolicy) Validate() error {
	if !p.Enabled {
		return nil
	}
	if msg := p.problem(); msg != "" {
		return Errorf(EINVALID, "autoscale %s: %s", p.Process, msg)
	}
	return nil
}

func (p AutoscalePolicy) problem() string {
	t := p.AutoscaleTargets
	switch {
	case p.Min < 0 || p.Max < 0:
		return "--min and --max must not be negative"
	case p.Max < 1 || p.Max > MaxAutoscaleCount:
		return fmt.Sprintf("--max is %d; give a maximum between 1 and %d", p.Max, MaxAutoscaleCount)
	case p.Min > p.Max:
		return fmt.Sprintf("--min %d is above --max %d; the minimum must be at most the maximum", p.Min, p.Max)
	case p.Process != "web":
		return "only web autoscales: its signals are the router's traffic"
	case t.Inflight == 0 && t.RPS == 0 && t.P95 == 0:
		return "give a target: --target-inflight N, --target-rps N or --target-p95 DURATION"
	}
	return t.problem()
}

func (t AutoscaleTargets) problem() string {
	switch {
	case t.Inflight < 0 || t.Inflight > MaxTargetInflight:
		return fmt.Sprintf("--target-inflight is %d; give between 1 and %d requests per instance", t.Inflight, MaxTargetInflight)
	case t.RPS < 0 || t.RPS > MaxTargetRPS:
		return fmt.Sprintf("--target-rps is %d; give between 1 and %d requests per second per instance", t.RPS, MaxTargetRPS)
	case t.P95 != 0 && (t.P95 < MinTargetP95 || t.P95 > MaxTargetP95):
		return fmt.Sprintf("--target-p95 is %s; give between %s and %s, e.g. 200ms", t.P95, MinTargetP95, MaxTargetP95)
	case t.Idle != 0 && (t.Idle < MinIdleTimeout || t.Idle > MaxIdleTimeout):
		return fmt.Sprintf("--idle is %s; give between %s and %s, e.g. 5m", t.Idle, MinIdleTimeout, MaxIdleTimeout)
	}
	return ""
}

// Describe says what the policy aims at, e.g. "1..10 at 20 in flight".
func (p AutoscalePolicy) Describe() string {
	if !p.Enabled {
		return "disabled"
	}
	s := fmt.Sprintf("%d..%d", p.Min, p.Max)
	if p.Inflight > 0 {
		s += fmt.Sprintf(", %d in flight per instance", p.Inflight)
	}
	if p.RPS > 0 {
		s += fmt.Sprintf(", %d req/s per instance", p.RPS)
	}
	if p.P95 > 0 {
		s += fmt.Sprintf(", p95 under %s", p.P95)
	}
	if p.Min == 0 {
		s += fmt.Sprintf(", to zero after %s idle", p.IdleTimeout())
	}
	return s
}

// AutoscaleStatus is a policy with the autoscaler's latest reasoning.
type AutoscaleStatus struct {
	AutoscalePolicy
	// Count is the count the process type runs at now.
	Count int `json:"count"`
	// Reasoning is the latest decision in words, empty until the
	// autoscaler has looked at the process type.
	Reasoning string    `json:"reasoning,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}
