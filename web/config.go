package web

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/gitpaas/paas"
)

// configVar is one row of the config editor. Value is set only for the
// variable the user asked to reveal.
type configVar struct {
	Key      string
	Value    string
	Revealed bool
}

// configPage lists the config vars with their values masked; ?reveal=KEY
// shows that one value, to someone who may change it.
func (c *Console) configPage(w http.ResponseWriter, r *request) {
	cfg, err := c.svc.Config.GetConfig(r.Context(), r.app.Name)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	reveal := r.URL.Query().Get("reveal")
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vars := make([]configVar, 0, len(keys))
	for _, k := range keys {
		v := configVar{Key: k}
		if k == reveal {
			v.Value, v.Revealed = cfg[k], true
		}
		vars = append(vars, v)
	}
	c.render(w, r.Request, http.StatusOK, "config", c.page(w, r, "Config vars of "+r.app.Name, "config", map[string]any{
		"Vars": vars, "Released": r.app.Release > 0}))
}

// setConfig sets or unsets one config var, which makes a release once the
// app has one.
func (c *Console) setConfig(w http.ResponseWriter, r *request) {
	to := Prefix + "/apps/" + r.app.Name + "/config"
	key := strings.TrimSpace(r.PostFormValue("key"))
	unset := r.PostFormValue("action") == "unset"
	value := r.PostFormValue("value")
	err := paas.ValidateConfigKey(key)
	if err == nil && !unset {
		err = paas.ValidateConfigValue(key, value)
	}
	var rel *paas.Release
	if err == nil {
		change := map[string]*string{key: &value}
		if unset {
			change[key] = nil
		}
		rel, _, err = c.svc.Releaser.SetConfig(r.Context(), r.app.Name, &r.id.User, change, io.Discard)
	}
	c.audit(r.Request, r.id, "config.set", r.app.Name, statusOf(err))
	verb := "Set " + key
	if unset {
		verb = "Unset " + key
	}
	msg := verb + "; it takes effect with the app's first release."
	if rel != nil {
		msg = fmt.Sprintf("%s: v%d is live.", verb, rel.Version)
	}
	c.done(w, r, to, err, msg)
}
