package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gitpaas/paas"
)

func (c *Console) releasesPage(w http.ResponseWriter, r *request) {
	rels, err := c.svc.Releases.ListReleasesPage(r.Context(), r.app.Name, 0, pageSize)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	c.render(w, r.Request, http.StatusOK, "releases", c.page(w, r, "Releases of "+r.app.Name, "releases", map[string]any{"Releases": rels}))
}

func (c *Console) rollback(w http.ResponseWriter, r *request) {
	to := Prefix + "/apps/" + r.app.Name + "/releases"
	v := strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("version")), "v")
	version, err := strconv.Atoi(v)
	if err != nil || version <= 0 {
		err = paas.Errorf(paas.EINVALID, "release %q is not a version such as v3; pick one from the list", clip(v, 20))
	}
	var rel *paas.Release
	if err == nil {
		rel, err = c.svc.Releaser.Rollback(r.Context(), r.app.Name, &r.id.User, version, io.Discard)
	}
	c.audit(r.Request, r.id, "release.rollback", r.app.Name, statusOf(err))
	msg := ""
	if rel != nil {
		msg = fmt.Sprintf("Rolled back to v%d: v%d is live.", version, rel.Version)
	}
	c.done(w, r, to, err, msg)
}
