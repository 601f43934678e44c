package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// BuildStore reads builds and their output.
type BuildStore interface {
	ListBuildsPage(ctx context.Context, app string, before int64, limit int) ([]*paas.Build, error)
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
	size, err := pageSize(c)
	if err != nil {
		c.Error(err)
		return
	}
	before, err := intCursor(c, "before")
	if err != nil {
		c.Error(err)
		return
	}
	builds, err := h.store.ListBuildsPage(c.Request.Context(), app.Name, before, size+1)
	if err != nil {
		c.Error(err)
		return
	}
	builds = trimPage(c, builds, size, "before", func(b *paas.Build) string { return strconv.FormatInt(b.ID, 10) })
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
	ListReleasesPage(ctx context.Context, app string, before, limit int) ([]*paas.Release, error)
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
	size, err := pageSize(c)
	if err != nil {
		c.Error(err)
		return
	}
	before, err := intCursor(c, "before")
	if err != nil {
		c.Error(err)
		return
	}
	rs, err := h.store.ListReleasesPage(c.Request.Context(), app.Name, int(before), size+1)
	if err != nil {
		c.Error(err)
		return
	}
	rs = trimPage(c, rs, size, "before", func(r *paas.Release) string { return strconv.Itoa(r.Version) })
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
