package api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/addons"
)

// fakeAddons knows one add-on per name: <app>-db belongs to <app>; those
// named elsewhere-… have ID 2, the others ID 1; gone-… do not exist.
type fakeAddons struct{}

func fakeAddon(name string) (*paas.Addon, error) {
	if strings.HasPrefix(name, "gone") {
		return nil, paas.Errorf(paas.ENOTFOUND, "add-on %q not found", name)
	}
	id := int64(1)
	if strings.HasPrefix(name, "elsewhere") {
		id = 2
	}
	return &paas.Addon{ID: id, Name: name, Type: "postgres", Plan: "dev", App: strings.TrimSuffix(name, "-db"), State: paas.AddonAvailable}, nil
}

func (fakeAddons) List(context.Context, string) ([]*paas.Addon, error) { return nil, nil }
func (fakeAddons) Get(_ context.Context, name string) (*paas.Addon, error) {
	return fakeAddon(name)
}

func (fakeAddons) ForApp(_ context.Context, app, name string) (*paas.Addon, error) {
	a, err := fakeAddon(name)
	if err == nil {
		a.App = app
	}
	return a, err
}

func (fakeAddons) Create(_ context.Context, req addons.CreateRequest, _ *paas.User, _ io.Writer) (*addons.Change, error) {
	return &addons.Change{Addon: &paas.Addon{Name: req.App + "-db", App: req.App, Type: req.Type}}, nil
}

func (fakeAddons) Attach(_ context.Context, name, app, as string, _ *paas.User, _ io.Writer) (*addons.Change, error) {
	a, _ := fakeAddon(name)
	return &addons.Change{Addon: a}, nil
}

func (fakeAddons) Detach(_ context.Context, name, app string, _ *paas.User, _ io.Writer) (*addons.Change, error) {
	a, _ := fakeAddon(name)
	return &addons.Change{Addon: a}, nil
}

func (fakeAddons) Destroy(context.Context, string, string, bool, *paas.User, io.Writer) error {
	return nil
}

// fakeBackups has backup 1 of add-on 1, 2 of add-on 2 (elsewhere-db) and 3
// of an add-on that is gone.
type fakeBackups struct{}

func (fakeBackups) Backups(context.Context, string) ([]*paas.Backup, error) { return nil, nil }
func (fakeBackups) Backup(_ context.Context, id int64) (*paas.Backup, error) {
	names := map[int64]string{1: "m-db", 2: "elsewhere-db", 3: "gone-db"}
	return &paas.Backup{ID: id, AddonID: id, Addon: names[id]}, nil
}

func (fakeBackups) Capture(_ context.Context, addon, by string, _ bool) (*paas.Backup, error) {
	return &paas.Backup{ID: 1, AddonID: 1, Addon: addon, CreatedBy: by}, nil
}
func (fakeBackups) Restore(context.Context, string, int64, string) error { return nil }
func (fakeBackups) DeleteBackup(context.Context, int64) error            { return nil }

// TestAddonUseOfOthers checks what the route rules cannot say: attaching
// an add-on, or restoring a backup of one, takes the right to use that
// add-on where it is.
func TestAddonUseOfOthers(t *testing.T) {
	e := newMatrixEnv(t)
	e.addApp("mine", "olive", nil)
	tests := []struct {
		name, method, path, body, user string
		want                           int
	}{
		{"attach an add-on of an app one does not deploy", "PUT", "/v1/apps/mine/attachments/elsewhere-db", "", "olive", http.StatusNotFound},
		{"a platform admin may", "PUT", "/v1/apps/mine/attachments/elsewhere-db", "", "ada", http.StatusOK},
		{"attach one's own", "PUT", "/v1/apps/mine/attachments/mine-db", "", "olive", http.StatusOK},
		{"restore a backup of an add-on one may not use", "POST", "/v1/apps/mine/addons/mine-db/restores", `{"backup":2}`, "olive", http.StatusNotFound},
		{"restore a backup of an add-on that is gone", "POST", "/v1/apps/mine/addons/mine-db/restores", `{"backup":3}`, "olive", http.StatusForbidden},
		{"a platform admin may restore it", "POST", "/v1/apps/mine/addons/mine-db/restores", `{"backup":3}`, "ada", http.StatusNoContent},
		{"delete a backup of another add-on", "DELETE", "/v1/apps/mine/addons/mine-db/backups/b002", "", "olive", http.StatusNotFound},
		{"a bad backup ID", "DELETE", "/v1/apps/mine/addons/mine-db/backups/x", "", "olive", http.StatusUnprocessableEntity},
		{"force that is not a boolean", "DELETE", "/v1/apps/mine/addons/mine-db?force=maybe", "", "olive", http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(request{method: tt.method, path: tt.path, body: tt.body, bearer: e.tokens[tt.user]})
			if w.Code != tt.want {
				t.Errorf("%s %s as %s = %d, want %d: %s", tt.method, tt.path, tt.user, w.Code, tt.want, w.Body.String())
			}
		})
	}
}
