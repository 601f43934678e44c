package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// Traffic shows and moves an app's traffic: maintenance mode and the
// canary in progress (docs/router.md).
type Traffic interface {
	Maintenance(ctx context.Context, app string) (bool, error)
	SetMaintenance(ctx context.Context, app string, on bool, user *paas.User) error
	Canary(ctx context.Context, app string) (*paas.CanaryStatus, error)
	PromoteCanary(ctx context.Context, app string, user *paas.User) error
	AbortCanary(ctx context.Context, app string, user *paas.User) error
}

type trafficHandlers struct {
	apps    AppStore
	traffic Traffic
}

// maintenanceState is the body of GET and PUT …/maintenance.
type maintenanceState struct {
	Enabled *bool `json:"enabled"`
}

func (h *trafficHandlers) maintenance(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	on, err := h.traffic.Maintenance(c.Request.Context(), app.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, maintenanceState{Enabled: &on})
}

func (h *trafficHandlers) setMaintenance(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req maintenanceState
	if err := decodeJSON(c, &req, `{"enabled":true}`); err != nil {
		c.Error(err)
		return
	}
	if req.Enabled == nil {
		c.Error(paas.Errorf(paas.EINVALID, `say whether maintenance is on, e.g. {"enabled":true}`))
		return
	}
	if err := h.traffic.SetMaintenance(c.Request.Context(), app.Name, *req.Enabled, currentUser(c)); err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, req)
}

func (h *trafficHandlers) canary(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	st, err := h.traffic.Canary(c.Request.Context(), app.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *trafficHandlers) promote(c *gin.Context) { h.endCanary(c, h.traffic.PromoteCanary) }

func (h *trafficHandlers) abort(c *gin.Context) { h.endCanary(c, h.traffic.AbortCanary) }

func (h *trafficHandlers) endCanary(c *gin.Context, end func(context.Context, string, *paas.User) error) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	if err := end(c.Request.Context(), app.Name, currentUser(c)); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
