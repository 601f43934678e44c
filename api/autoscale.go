package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// Autoscaling shows and sets the autoscaling policies of apps, and wakes
// apps that scaled to zero.
type Autoscaling interface {
	Policies(ctx context.Context, app string) ([]paas.AutoscaleStatus, error)
	SetPolicy(ctx context.Context, user *paas.User, pol paas.AutoscalePolicy) (paas.AutoscalePolicy, error)
	Wake(ctx context.Context, app string) (bool, error)
}

type autoscaleHandlers struct {
	apps      AppStore
	autoscale Autoscaling
}

// autoscaleRequest is the body of PUT …/autoscale/{process}. Durations
// are strings such as "200ms" or "5m".
type autoscaleRequest struct {
	Min            *int   `json:"min"`
	Max            int    `json:"max"`
	TargetInflight int    `json:"target_inflight,omitempty"`
	TargetRPS      int    `json:"target_rps,omitempty"`
	TargetP95      string `json:"target_p95,omitempty"`
	Idle           string `json:"idle,omitempty"`
}

func (h *autoscaleHandlers) list(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	out, err := h.autoscale.Policies(c.Request.Context(), app.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (h *autoscaleHandlers) enable(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req autoscaleRequest
	if err := decodeJSON(c, &req, `{"min":1,"max":10,"target_inflight":20}`); err != nil {
		c.Error(err)
		return
	}
	pol, err := req.policy(app.Name, c.Param("process"))
	if err != nil {
		c.Error(err)
		return
	}
	h.set(c, pol)
}

func (h *autoscaleHandlers) disable(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	h.set(c, paas.AutoscalePolicy{App: app.Name, Process: c.Param("process")})
}

func (h *autoscaleHandlers) set(c *gin.Context, pol paas.AutoscalePolicy) {
	out, err := h.autoscale.SetPolicy(c.Request.Context(), currentUser(c), pol)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (r autoscaleRequest) policy(app, process string) (paas.AutoscalePolicy, error) {
	pol := paas.AutoscalePolicy{App: app, Process: process, Enabled: true, Min: 1, Max: r.Max,
		AutoscaleTargets: paas.AutoscaleTargets{Inflight: r.TargetInflight, RPS: r.TargetRPS}}
	if r.Min != nil {
		pol.Min = *r.Min
	}
	var err error
	if pol.P95, err = parseDuration("target_p95", r.TargetP95); err != nil {
		return pol, err
	}
	if pol.Idle, err = parseDuration("idle", r.Idle); err != nil {
		return pol, err
	}
	return pol, pol.Validate()
}

func parseDuration(name, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, paas.Errorf(paas.EINVALID, "%s %q is not a duration; write it like 200ms, 2s or 5m", name, s)
	}
	return d, nil
}

// wake answers the router when a request finds an app with no instance:
// 202 when the app scales to zero and an instance is on its way, 404
// otherwise. It needs no token: it does only what any request to the
// app's address does, for apps whose policy allows it.
func (h *autoscaleHandlers) wake(c *gin.Context) {
	ok, err := h.autoscale.Wake(c.Request.Context(), c.Param("app"))
	switch {
	case err != nil:
		c.Error(err)
	case ok:
		c.Status(http.StatusAccepted)
	default:
		c.Status(http.StatusNotFound)
	}
}

// eventHandlers list what happened to an app outside pushes.
type eventHandlers struct {
	apps   AppStore
	events EventLister
}

func (h *eventHandlers) list(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	events, err := h.events.ListEvents(c.Request.Context(), app.Name, c.Query("kind"), 100)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, events)
}
