package web

import "net/http"

func (c *Console) addonsPage(w http.ResponseWriter, r *request) {
	addons, err := c.svc.Addons.List(r.Context(), r.app.Name)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	c.render(w, r.Request, http.StatusOK, "addons", c.page(w, r, "Add-ons of "+r.app.Name, "addons", map[string]any{"Addons": addons}))
}
