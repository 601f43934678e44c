package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// AppStore reads apps.
type AppStore interface {
	GetApp(ctx context.Context, name string) (*paas.App, error)
	ListApps(ctx context.Context) ([]*paas.App, error)
	ListAppsPage(ctx context.Context, after string, limit int) ([]*paas.App, error)
}

// AppLifecycle creates and destroys apps with everything they own.
type AppLifecycle interface {
	Create(ctx context.Context, name, owner string) (*paas.App, error)
	Destroy(ctx context.Context, name string) error
}

// EventLister lists what happened to an app.
type EventLister interface {
	ListEvents(ctx context.Context, app, kind string, limit int) ([]*paas.Event, error)
}

type appHandlers struct {
	store     AppStore
	lifecycle AppLifecycle
	events    EventLister
	visible   VisibleApps
	opts      Options
}

// appBody is an app as the API shows it: the record and where to reach it.
type appBody struct {
	*paas.App
	GitURL string `json:"git_url"`
	WebURL string `json:"web_url"`
	// LastDrift is the last drift the reconciler repaired, on show only.
	LastDrift *paas.Event `json:"last_drift,omitempty"`
}

func (h *appHandlers) body(a *paas.App) appBody {
	return appBody{App: a, GitURL: h.opts.GitURL(a.Name), WebURL: h.opts.WebURL(a.Name)}
}

func (h *appHandlers) list(c *gin.Context) {
	size, err := pageSize(c)
	if err != nil {
		c.Error(err)
		return
	}
	apps, err := h.page(c, size+1)
	if err != nil {
		c.Error(err)
		return
	}
	apps = trimPage(c, apps, size, "after", func(a *paas.App) string { return a.Name })
	out := make([]appBody, 0, len(apps))
	for _, a := range apps {
		out = append(out, h.body(a))
	}
	c.JSON(http.StatusOK, out)
}

// page lists the apps the caller may see: all of them for platform
// admins, else those they have a role on.
func (h *appHandlers) page(c *gin.Context, limit int) ([]*paas.App, error) {
	if u := currentUser(c); !u.Admin {
		return h.visible.ListAppsPageOf(c.Request.Context(), u.ID, c.Query("after"), limit)
	}
	return h.store.ListAppsPage(c.Request.Context(), c.Query("after"), limit)
}

type createAppRequest struct {
	Name string `json:"name"`
}

func (h *appHandlers) create(c *gin.Context) {
	var req createAppRequest
	if err := decodeJSON(c, &req, `{"name":"my-app"}`); err != nil {
		c.Error(err)
		return
	}
	setAuditApp(c, req.Name)
	app, err := h.lifecycle.Create(c.Request.Context(), req.Name, currentUser(c).Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, h.body(app))
}

func (h *appHandlers) show(c *gin.Context) {
	app, err := findApp(c, h.store)
	if err != nil {
		c.Error(err)
		return
	}
	body := h.body(app)
	if h.events != nil {
		drift, err := h.events.ListEvents(c.Request.Context(), app.Name, paas.EventDrift, 1)
		if err != nil {
			c.Error(err)
			return
		}
		if len(drift) > 0 {
			body.LastDrift = drift[0]
		}
	}
	c.JSON(http.StatusOK, body)
}

func (h *appHandlers) destroy(c *gin.Context) {
	if err := h.lifecycle.Destroy(c.Request.Context(), c.Param("app")); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

// findApp loads the app named in the path, validating the name first so a
// malformed one gets a helpful message instead of "not found".
func findApp(c *gin.Context, store AppStore) (*paas.App, error) {
	name := c.Param("app")
	if err := paas.ValidateAppName(name); err != nil {
		return nil, paas.Errorf(paas.ENOTFOUND, "app not found: %s", paas.ErrorMessage(err))
	}
	return store.GetApp(c.Request.Context(), name)
}

// decodeJSON reads one JSON object, rejecting unknown fields and trailing
// data, with a message that shows the expected shape.
func decodeJSON(c *gin.Context, v any, example string) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return paas.Errorf(paas.EINVALID, "request body is larger than %d bytes", tooBig.Limit)
		}
		if errors.Is(err, io.EOF) {
			return paas.Errorf(paas.EINVALID, "request body is empty; send JSON like %s", example)
		}
		return paas.Errorf(paas.EINVALID, "request body is not valid: %s; send JSON like %s", clip(err.Error()), example)
	}
	if dec.More() {
		return paas.Errorf(paas.EINVALID, "request body has data after the JSON object; send JSON like %s", example)
	}
	return nil
}
