package web

import (
	"net/http"

	"github.com/gitpaas/paas"
)

// activityPage is who did what to the app: its entries of the audit log,
// pushes and console changes included. Like GET /v1/audit?app=, it is for
// the app's owners.
func (c *Console) activityPage(w http.ResponseWriter, r *request) {
	f := paas.AuditFilter{App: r.app.Name, Limit: pageSize}
	if !r.id.User.Admin {
		f.OwnerID = r.id.User.ID
	}
	entries, err := c.svc.Audit.ListAuditEntries(r.Context(), f)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	c.render(w, r.Request, http.StatusOK, "activity", c.page(w, r, "Activity of "+r.app.Name, "activity", map[string]any{"Entries": entries}))
}
