package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// Maintenance shows and sets an app's maintenance mode, in which the
// router answers every request with a 503 page.
type Maintenance interface {
	Maintenance(ctx context.Context, app string) (bool, error)
	SetMaintenance(ctx context.Context, app string, on bool, user *paas.User) error
}

// Canaries shows the canary in progress and ends it either way.
type Canaries interface {
	Canary(ctx context.Context, app string) (*paas.CanaryStatus, error)
	PromoteCanary(ctx context.Context, app string, user *paas.User) error
	AbortCanary(ctx context.Context, app string, user *paas.User) error
}

// Autoscaling shows an app's autoscaling policies.
type Autoscaling interface {
	Policies(ctx context.Context, app string) ([]paas.AutoscaleStatus, error)
}

// Events lists what happened to an app outside pushes.
type Events interface {
	ListEvents(ctx context.Context, app, kind string, limit int) ([]*paas.Event, error)
}

// scaleEvents is how many of the latest scale events the overview shows.
const scaleEvents = 8

// traffic is what the overview shows of an app's traffic: maintenance
// mode, the canary, autoscaling. A part whose service is missing or
// failed is left out (the Has fields), with Problems saying which failed.
type traffic struct {
	HasMaintenance, HasCanary, HasAutoscale bool
	Maintenance                             bool
	Canary                                  *paas.CanaryStatus
	Autoscale                               []paas.AutoscaleStatus
	ScaleEvents                             []*paas.Event
	Problems                                []string
}

func (c *Console) traffic(r *request) *traffic {
	t := &traffic{}
	ctx, app := r.Context(), r.app.Name
	if c.svc.Maintenance != nil {
		on, err := c.svc.Maintenance.Maintenance(ctx, app)
		t.HasMaintenance, t.Maintenance = err == nil, on
		t.problem(c, app, "maintenance mode", err)
	}
	if c.svc.Canaries != nil {
		st, err := c.svc.Canaries.Canary(ctx, app)
		if paas.ErrorCode(err) == paas.ENOTFOUND {
			err = nil // no canary in progress
		}
		t.HasCanary, t.Canary = err == nil, st
		t.problem(c, app, "the canary", err)
	}
	if c.svc.Autoscaling != nil {
		pols, err := c.svc.Autoscaling.Policies(ctx, app)
		t.HasAutoscale = err == nil
		for _, p := range pols {
			if p.Enabled {
				t.Autoscale = append(t.Autoscale, p)
			}
		}
		t.problem(c, app, "autoscaling", err)
	}
	if c.svc.Events != nil {
		evs, err := c.svc.Events.ListEvents(ctx, app, paas.EventScale, scaleEvents)
		t.ScaleEvents = evs
		t.problem(c, app, "scale events", err)
	}
	return t
}

// problem notes that what could not be read, and logs why.
func (t *traffic) problem(c *Console, app, what string, err error) {
	if err == nil {
		return
	}
	c.logger.Warn("console overview", "app", app, "part", what, "error", err)
	t.Problems = append(t.Problems, what)
}

func (c *Console) setMaintenance(w http.ResponseWriter, r *request) {
	on, err := parseOnOff(r.PostFormValue("maintenance"))
	if err == nil {
		err = c.svc.Maintenance.SetMaintenance(r.Context(), r.app.Name, on, &r.id.User)
	}
	c.audit(r.Request, r.id, "app.maintenance", r.app.Name, statusOf(err))
	msg := "Maintenance mode is off: " + r.app.Name + " serves requests again."
	if on {
		msg = "Maintenance mode is on: the router answers every request to " + r.app.Name + " with a 503 page."
	}
	c.done(w, r, Prefix+"/apps/"+r.app.Name, err, msg)
}

func parseOnOff(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, paas.Errorf(paas.EINVALID, "maintenance must be on or off, not %q", clip(s, 20))
}

func (c *Console) promoteCanary(w http.ResponseWriter, r *request) {
	err := c.svc.Canaries.PromoteCanary(r.Context(), r.app.Name, &r.id.User)
	c.audit(r.Request, r.id, "canary.promote", r.app.Name, statusOf(err))
	c.done(w, r, Prefix+"/apps/"+r.app.Name, err, "Promoted the canary: it has all the traffic and is the current release.")
}

func (c *Console) abortCanary(w http.ResponseWriter, r *request) {
	err := c.svc.Canaries.AbortCanary(r.Context(), r.app.Name, &r.id.User)
	c.audit(r.Request, r.id, "canary.abort", r.app.Name, statusOf(err))
	c.done(w, r, Prefix+"/apps/"+r.app.Name, err, "Aborted the canary: the stable release has all the traffic again.")
}

// canarySteps writes a canary's steps with the current one marked, as
// `paas canary` does: 10% → [25%] → 50%.
func canarySteps(st *paas.CanaryStatus) string {
	parts := make([]string, len(st.Steps))
	for i, s := range st.Steps {
		parts[i] = fmt.Sprintf("%d%%", s)
		if i == st.Step {
			parts[i] = "[" + parts[i] + "]"
		}
	}
	return strings.Join(parts, " → ")
}

// autoscaleTargets says what a policy aims at, in the CLI's words.
func autoscaleTargets(p paas.AutoscaleStatus) string {
	var parts []string
	if p.Inflight > 0 {
		parts = append(parts, fmt.Sprintf("%d in flight per instance", p.Inflight))
	}
	if p.RPS > 0 {
		parts = append(parts, fmt.Sprintf("%d req/s per instance", p.RPS))
	}
	if p.P95 > 0 {
		parts = append(parts, "p95 under "+shortDuration(p.P95))
	}
	if p.ScaleToZero() {
		parts = append(parts, "to zero after "+shortDuration(p.IdleTimeout())+" idle")
	}
	return strings.Join(parts, " · ")
}

// shortDuration writes d without zero units: 5m rather than 5m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// until says how long until t, for people.
func until(t time.Time) string {
	d := time.Until(t).Round(time.Second)
	switch {
	case d <= 0:
		return "now"
	case d < time.Minute:
		return fmt.Sprintf("in %d s", int(d.Seconds()))
	}
	return "in " + shortDuration(d.Round(time.Minute))
}
