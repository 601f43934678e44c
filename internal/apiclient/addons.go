package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gitpaas/paas"
)

// Addons calls the add-on routes: /v1/apps/{app}/addons,
// /v1/apps/{app}/attachments and, for platform admins, /v1/addons. Add-on
// URLs hold passwords: they are only ever in an app's config vars, never
// in these answers.
type Addons struct{ c *Client }

// Addons returns the handle for the add-on routes.
func (c *Client) Addons() *Addons { return &Addons{c: c} }

// AddonChange is the answer to creating, attaching or detaching an add-on:
// the add-on and the release that set or unset its config var (nil when
// the app has no release yet).
type AddonChange struct {
	Addon   *paas.Addon   `json:"addon"`
	Release *paas.Release `json:"release"`
}

// CreateAddon asks for a new add-on. Plan, Name and As are optional.
type CreateAddon struct {
	Type string `json:"type"`
	Plan string `json:"plan,omitempty"`
	Name string `json:"name,omitempty"`
	As   string `json:"as,omitempty"`
}

// List returns the add-ons of app and those attached to it; with app "",
// every add-on (platform admins only).
func (a *Addons) List(ctx context.Context, app string) ([]paas.Addon, error) {
	path := []string{"v1", "addons"}
	if app != "" {
		path = []string{"v1", "apps", app, "addons"}
	}
	var list []paas.Addon
	if err := a.c.do(ctx, http.MethodGet, nil, &list, path...); err != nil {
		return nil, err
	}
	return nonNil(list), nil
}

// Get returns the named add-on as seen from app, with its status; with
// app "", any add-on (platform admins only).
func (a *Addons) Get(ctx context.Context, app, name string) (*paas.Addon, error) {
	path := []string{"v1", "addons", name}
	if app != "" {
		path = []string{"v1", "apps", app, "addons", name}
	}
	var out paas.Addon
	if err := a.c.do(ctx, http.MethodGet, nil, &out, path...); err != nil {
		return nil, err
	}
	return &out, nil
}

// Create provisions an add-on for app and attaches it. It returns once the
// add-on is healthy and the release with its config var is out.
func (a *Addons) Create(ctx context.Context, app string, req CreateAddon) (*AddonChange, error) {
	var out AddonChange
	if err := a.c.doWith(ctx, a.c.rollout, http.MethodPost, req, &out, "v1", "apps", app, "addons"); err != nil {
		return nil, err
	}
	return &out, nil
}

// Attach attaches an existing add-on to app as <as>_URL (as "" takes the
// add-on's default, such as DATABASE).
func (a *Addons) Attach(ctx context.Context, name, app, as string) (*AddonChange, error) {
	in := struct {
		As string `json:"as,omitempty"`
	}{as}
	var out AddonChange
	if err := a.c.doWith(ctx, a.c.rollout, http.MethodPut, in, &out, "v1", "apps", app, "attachments", name); err != nil {
		return nil, err
	}
	return &out, nil
}

// Detach detaches the add-on from app; the add-on and its data stay.
func (a *Addons) Detach(ctx context.Context, name, app string) (*AddonChange, error) {
	var out AddonChange
	if err := a.c.doWith(ctx, a.c.rollout, http.MethodDelete, nil, &out, "v1", "apps", app, "attachments", name); err != nil {
		return nil, err
	}
	return &out, nil
}

// Destroy destroys the add-on of app (any add-on with app "", platform
// admins only) with its data. With force it is detached from every app
// first; without, an attached add-on is refused.
func (a *Addons) Destroy(ctx context.Context, app, name string, force bool) error {
	path := []string{"v1", "addons", name}
	if app != "" {
		path = []string{"v1", "apps", app, "addons", name}
	}
	q := url.Values{}
	if force {
		q.Set("force", "true")
	}
	return a.c.doQuery(ctx, http.MethodDelete, q, nil, nil, path...)
}

// Backups returns the backups of the add-on of app, newest first.
func (a *Addons) Backups(ctx context.Context, app, name string) ([]paas.Backup, error) {
	var list []paas.Backup
	if err := a.c.do(ctx, http.MethodGet, nil, &list, "v1", "apps", app, "addons", name, "backups"); err != nil {
		return nil, err
	}
	return nonNil(list), nil
}

// Capture takes a backup of the add-on of app and returns it once stored.
func (a *Addons) Capture(ctx context.Context, app, name string) (*paas.Backup, error) {
	var b paas.Backup
	if err := a.c.doWith(ctx, a.c.rollout, http.MethodPost, nil, &b, "v1", "apps", app, "addons", name, "backups"); err != nil {
		return nil, err
	}
	return &b, nil
}

// Restore replaces the data of the add-on of app with backup id. A backup
// of another add-on needs confirm to be this add-on's name.
func (a *Addons) Restore(ctx context.Context, app, name string, id int64, confirm string) error {
	in := struct {
		Backup  int64  `json:"backup"`
		Confirm string `json:"confirm,omitempty"`
	}{id, confirm}
	return a.c.doWith(ctx, a.c.rollout, http.MethodPost, in, nil, "v1", "apps", app, "addons", name, "restores")
}

// DeleteBackup deletes backup id of the add-on of app.
func (a *Addons) DeleteBackup(ctx context.Context, app, name string, id int64) error {
	return a.c.do(ctx, http.MethodDelete, nil, nil, "v1", "apps", app, "addons", name, "backups", paas.BackupLabel(id))
}

// doQuery is do with query parameters.
func (c *Client) doQuery(ctx context.Context, method string, q url.Values, in, out any, path ...string) error {
	req, err := c.newRequest(ctx, method, in, path...)
	if err != nil {
		return err
	}
	req.URL.RawQuery = q.Encode()
	resp, err := c.roundTrip(ctx, c.rollout, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode answer to %s %s: %w", method, req.URL.Path, err)
	}
	return nil
}
