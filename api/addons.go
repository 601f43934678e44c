package api

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/addons"
)

// AddonService provisions, attaches, detaches and destroys add-ons.
type AddonService interface {
	List(ctx context.Context, app string) ([]*paas.Addon, error)
	Get(ctx context.Context, name string) (*paas.Addon, error)
	ForApp(ctx context.Context, app, name string) (*paas.Addon, error)
	Create(ctx context.Context, req addons.CreateRequest, user *paas.User, out io.Writer) (*addons.Change, error)
	Attach(ctx context.Context, name, app, as string, user *paas.User, out io.Writer) (*addons.Change, error)
	Detach(ctx context.Context, name, app string, user *paas.User, out io.Writer) (*addons.Change, error)
	Destroy(ctx context.Context, app, name string, force bool, user *paas.User, out io.Writer) error
}

// BackupService captures, lists, restores and deletes backups of add-ons.
type BackupService interface {
	Backups(ctx context.Context, addon string) ([]*paas.Backup, error)
	Backup(ctx context.Context, id int64) (*paas.Backup, error)
	Capture(ctx context.Context, addon, createdBy string, scheduled bool) (*paas.Backup, error)
	Restore(ctx context.Context, addon string, id int64, confirm string) error
	DeleteBackup(ctx context.Context, id int64) error
}

// usesAddon is what a caller needs on an app an add-on belongs to, or is
// attached to, to use the add-on elsewhere: what reading its URL from that
// app's config takes.
var usesAddon = appDeployer

type addonHandlers struct {
	apps    AppStore
	addons  AddonService
	backups BackupService
	authz   Authorizer
}

// list answers every add-on (platform admins).
func (h *addonHandlers) list(c *gin.Context) {
	all, err := h.addons.List(c.Request.Context(), "")
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(all))
}

// show answers any add-on (platform admins).
func (h *addonHandlers) show(c *gin.Context) {
	a, err := h.addons.Get(c.Request.Context(), c.Param("addon"))
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, a)
}

// destroy destroys any add-on (platform admins), such as one whose app was
// destroyed.
func (h *addonHandlers) destroy(c *gin.Context) {
	h.destroyFrom(c, "")
}

func (h *addonHandlers) listForApp(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	list, err := h.addons.List(c.Request.Context(), app.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(list))
}

type createAddonRequest struct {
	Type string `json:"type"`
	Plan string `json:"plan"`
	Name string `json:"name"`
	As   string `json:"as"`
}

// create provisions an add-on for the app and attaches it; it answers once
// the add-on is healthy and the release with its config var is out.
func (h *addonHandlers) create(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req createAddonRequest
	if err := decodeJSON(c, &req, `{"type":"postgres","plan":"dev"}`); err != nil {
		c.Error(err)
		return
	}
	ch, err := h.addons.Create(c.Request.Context(), addons.CreateRequest{Type: req.Type, Plan: req.Plan, Name: req.Name, App: app.Name, As: req.As},
		currentUser(c), io.Discard)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, ch)
}

func (h *addonHandlers) showForApp(c *gin.Context) {
	a, err := h.forApp(c)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, a)
}

// destroyForApp destroys an add-on of the app; ?force=true detaches it
// from every app first.
func (h *addonHandlers) destroyForApp(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	h.destroyFrom(c, app.Name)
}

func (h *addonHandlers) destroyFrom(c *gin.Context, app string) {
	force, err := boolQuery(c, "force")
	if err != nil {
		c.Error(err)
		return
	}
	if err := h.addons.Destroy(c.Request.Context(), app, c.Param("addon"), force, currentUser(c), io.Discard); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

type attachRequest struct {
	As string `json:"as"`
}

// attach attaches an existing add-on to the app. The caller must be able
// to use the add-on where it already is.
func (h *addonHandlers) attach(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req attachRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req, `{"as":"ANALYTICS"}`); err != nil {
			c.Error(err)
			return
		}
	}
	a, err := h.addons.Get(c.Request.Context(), c.Param("addon"))
	if err == nil {
		err = h.mayUse(c, a)
	}
	if err != nil {
		c.Error(err)
		return
	}
	ch, err := h.addons.Attach(c.Request.Context(), a.Name, app.Name, req.As, currentUser(c), io.Discard)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, ch)
}

func (h *addonHandlers) detach(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	ch, err := h.addons.Detach(c.Request.Context(), c.Param("addon"), app.Name, currentUser(c), io.Discard)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, ch)
}

func (h *addonHandlers) listBackups(c *gin.Context) {
	a, err := h.forApp(c)
	if err != nil {
		c.Error(err)
		return
	}
	list, err := h.backups.Backups(c.Request.Context(), a.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(list))
}

// capture takes a backup and answers once it is stored.
func (h *addonHandlers) capture(c *gin.Context) {
	a, err := h.forApp(c)
	if err != nil {
		c.Error(err)
		return
	}
	b, err := h.backups.Capture(c.Request.Context(), a.Name, currentUser(c).Name, false)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, b)
}

type restoreRequest struct {
	Backup  int64  `json:"backup"`
	Confirm string `json:"confirm"`
}

// restore replaces the add-on's data with a backup. A backup of another
// add-on needs "confirm" (the service checks it) and the right to use that
// other add-on, since restoring copies its data.
func (h *addonHandlers) restore(c *gin.Context) {
	a, err := h.forApp(c)
	if err != nil {
		c.Error(err)
		return
	}
	var req restoreRequest
	if err := decodeJSON(c, &req, `{"backup":3,"confirm":"other-addon"}`); err != nil {
		c.Error(err)
		return
	}
	b, err := h.backups.Backup(c.Request.Context(), req.Backup)
	if err == nil && b.AddonID != a.ID {
		err = h.mayUseBackupOf(c, b)
	}
	if err == nil {
		err = h.backups.Restore(c.Request.Context(), a.Name, b.ID, req.Confirm)
	}
	if err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *addonHandlers) deleteBackup(c *gin.Context) {
	a, err := h.forApp(c)
	if err != nil {
		c.Error(err)
		return
	}
	id, err := paas.ParseBackupID(c.Param("id"))
	var b *paas.Backup
	if err == nil {
		b, err = h.backups.Backup(c.Request.Context(), id)
	}
	if err == nil && b.AddonID != a.ID {
		err = paas.Errorf(paas.ENOTFOUND, "backup %s is not a backup of %s; list them with: paas pg:backups --addon %s", paas.BackupLabel(id), a.Name, a.Name)
	}
	if err == nil {
		err = h.backups.DeleteBackup(c.Request.Context(), id)
	}
	if err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

// forApp loads the add-on of the path as seen from the path's app.
func (h *addonHandlers) forApp(c *gin.Context) (*paas.Addon, error) {
	app, err := findApp(c, h.apps)
	if err != nil {
		return nil, err
	}
	return h.addons.ForApp(c.Request.Context(), app.Name, c.Param("addon"))
}

// mayUse reports whether the caller may use add-on a: a platform admin, or
// a deployer of an app it belongs to or is attached to. Others are told it
// does not exist.
func (h *addonHandlers) mayUse(c *gin.Context, a *paas.Addon) error {
	ctx, id := c.Request.Context(), currentIdentity(c)
	if id.User.Admin {
		return nil
	}
	apps := []string{a.App}
	for _, t := range a.Attachments {
		apps = append(apps, t.App)
	}
	for _, app := range apps {
		if app != "" && h.authz.Authorize(ctx, id, app, usesAddon) == nil {
			return nil
		}
	}
	return paas.Errorf(paas.ENOTFOUND, "add-on %q not found; list the add-ons of your apps with: paas addons -a APP", a.Name)
}

// mayUseBackupOf reports whether the caller may restore backup b of
// another add-on: they may use that add-on, or, when it is gone, they are
// a platform admin.
func (h *addonHandlers) mayUseBackupOf(c *gin.Context, b *paas.Backup) error {
	src, err := h.addons.Get(c.Request.Context(), b.Addon)
	switch {
	case err == nil && src.ID == b.AddonID:
		return h.mayUse(c, src)
	case err != nil && paas.ErrorCode(err) != paas.ENOTFOUND:
		return err
	case currentIdentity(c).User.Admin:
		return nil
	}
	return paas.Errorf(paas.EFORBIDDEN, "backup %s is of the add-on %s, which no longer exists; only a platform admin may restore it", paas.BackupLabel(b.ID), b.Addon)
}

// boolQuery reads an optional true/false query parameter.
func boolQuery(c *gin.Context, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, paas.Errorf(paas.EINVALID, "query parameter %s=%s is not true or false", name, clip(v))
	}
	return b, nil
}
