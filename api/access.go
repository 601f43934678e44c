package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// CollaboratorStore keeps who has which role on an app.
type CollaboratorStore interface {
	ListCollaborators(ctx context.Context, app string) ([]*paas.Collaborator, error)
	SetCollaborator(ctx context.Context, app, user string, role paas.Role) (*paas.Collaborator, error)
	RemoveCollaborator(ctx context.Context, app, user string) error
}

// VisibleApps lists the apps a user has a role on.
type VisibleApps interface {
	ListAppsPageOf(ctx context.Context, userID int64, after string, limit int) ([]*paas.App, error)
}

type accessHandlers struct {
	store CollaboratorStore
}

func (h *accessHandlers) list(c *gin.Context) {
	cs, err := h.store.ListCollaborators(c.Request.Context(), c.Param("app"))
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(cs))
}

type setAccessRequest struct {
	Role string `json:"role"`
}

// set gives a user a role on the app, replacing the one they had.
func (h *accessHandlers) set(c *gin.Context) {
	var req setAccessRequest
	if err := decodeJSON(c, &req, `{"role":"deployer"}`); err != nil {
		c.Error(err)
		return
	}
	role, err := paas.ParseRole(req.Role)
	if err != nil {
		c.Error(err)
		return
	}
	collab, err := h.store.SetCollaborator(c.Request.Context(), c.Param("app"), c.Param("user"), role)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, collab)
}

func (h *accessHandlers) remove(c *gin.Context) {
	if err := h.store.RemoveCollaborator(c.Request.Context(), c.Param("app"), c.Param("user")); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
