package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// defaultListLimit bounds listings until the API grows pagination.
const defaultListLimit = 100

// BuildStore reads builds and their output.
type BuildStore interface {
	ListBuilds(ctx context.Context, app string, limit int) ([]*paas.Build, error)
	GetBuild(ctx context.Context, app string, id int64) (*paas.Build, error)
	BuildLog(ctx context.Context, app string, id int64) ([]byte, error)
}

type buildHandlers struct {
	store BuildStore
	apps  AppStore
}

func (h *buildHandlers) list(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	builds, err := h.store.ListBuilds(c.Request.Context(), app.Name, defaultListLimit)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(builds))
}

func (h *buildHandlers) show(c *gin.Context) {
	app, id, err := h.target(c)
	if err != nil {
		c.Error(err)
		return
	}
	b, err := h.store.GetBuild(c.Request.Context(), app.Name, id)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, b)
}

func (h *buildHandlers) log(c *gin.Context) {
	app, id, err := h.target(c)
	if err != nil {
		c.Error(err)
		return
	}
	if _, err := h.store.GetBuild(c.Request.Context(), app.Name, id); err != nil {
		c.Error(err)
		return
	}
	out, err := h.store.BuildLog(c.Request.Context(), app.Name, id)
	if err != nil {
		c.Error(err)
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", out)
}

func (h *buildHandlers) target(c *gin.Context) (*paas.App, int64, error) {
	app, err := findApp(c, h.apps)
	if err != nil {
		return nil, 0, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, 0, paas.Errorf(paas.EINVALID, "build id %q is not a number; list builds with: paas builds -a %s", clip(c.Param("id")), app.Name)
	}
	return app, id, nil
}

// ReleaseStore reads releases.
type ReleaseStore interface {
	ListReleases(ctx context.Context, app string, limit int) ([]*paas.Release, error)
	GetRelease(ctx context.Context, app string, version int) (*paas.Release, error)
}

type releaseHandlers struct {
	store ReleaseStore
	apps  AppStore
}

func (h *releaseHandlers) list(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	rs, err := h.store.ListReleases(c.Request.Context(), app.Name, defaultListLimit)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(rs))
}

func (h *releaseHandlers) show(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	v, err := strconv.Atoi(strings.TrimPrefix(c.Param("version"), "v"))
	if err != nil || v <= 0 {
		c.Error(paas.Errorf(paas.EINVALID, "release %q is not a version like v3; list releases with: paas releases -a %s", clip(c.Param("version")), app.Name))
		return
	}
	r, err := h.store.GetRelease(c.Request.Context(), app.Name, v)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// nonNil makes an empty listing encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
