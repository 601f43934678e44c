package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// Webhooks manages an app's webhooks.
type Webhooks interface {
	Create(ctx context.Context, app string, user *paas.User, url string, events []string) (*paas.Webhook, error)
	List(ctx context.Context, app string) ([]*paas.Webhook, error)
	Delete(ctx context.Context, app string, id int64) error
	Deliveries(ctx context.Context, app string, id int64) ([]*paas.Delivery, error)
}

type webhookHandlers struct {
	apps  AppStore
	hooks Webhooks
}

type createWebhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

func (h *webhookHandlers) list(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	hooks, err := h.hooks.List(c.Request.Context(), app.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(hooks))
}

func (h *webhookHandlers) create(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req createWebhookRequest
	if err := decodeJSON(c, &req, `{"url":"https://ci.example.com/hook","events":["release.succeeded"]}`); err != nil {
		c.Error(err)
		return
	}
	hook, err := h.hooks.Create(c.Request.Context(), app.Name, currentUser(c), req.URL, req.Events)
	if err != nil {
		c.Error(err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, hook)
}

func (h *webhookHandlers) remove(c *gin.Context) {
	app, id, err := h.target(c)
	if err != nil {
		c.Error(err)
		return
	}
	if err := h.hooks.Delete(c.Request.Context(), app.Name, id); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *webhookHandlers) deliveries(c *gin.Context) {
	app, id, err := h.target(c)
	if err != nil {
		c.Error(err)
		return
	}
	ds, err := h.hooks.Deliveries(c.Request.Context(), app.Name, id)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(ds))
}

func (h *webhookHandlers) target(c *gin.Context) (*paas.App, int64, error) {
	app, err := findApp(c, h.apps)
	if err != nil {
		return nil, 0, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, 0, paas.Errorf(paas.EINVALID, "webhook id %q is not a number; list them with: paas webhooks -a %s", clip(c.Param("id")), app.Name)
	}
	return app, id, nil
}
