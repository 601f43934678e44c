package apiclient

import (
	"context"
	"net/http"

	"github.com/gitpaas/paas"
)

// ConfigVars calls the /v1/apps/{app}/config routes. Config var values may
// be secrets: the client never logs them or puts them in an error.
type ConfigVars struct{ c *Client }

// Config returns the handle for the config var routes.
func (c *Client) Config() *ConfigVars { return &ConfigVars{c: c} }

// ConfigChange is the answer to a config change.
type ConfigChange struct {
	// Release is the release made with the new config vars, or nil when
	// the app has no release yet: the vars then apply to its first deploy.
	Release *paas.Release `json:"release"`
	// ConfigKeys lists the names of the config vars now set, sorted.
	ConfigKeys []string `json:"config_keys"`
}

// Get returns the current config vars of app, never nil.
func (v *ConfigVars) Get(ctx context.Context, app string) (map[string]string, error) {
	var cfg map[string]string
	if err := v.c.do(ctx, http.MethodGet, nil, &cfg, "v1", "apps", app, "config"); err != nil {
		return nil, err
	}
	if cfg == nil {
		cfg = map[string]string{}
	}
	return cfg, nil
}

// Update sets the config vars of app whose value in changes is not nil and
// unsets those whose value is nil. When app has a release, the server makes
// and rolls out a new release before it answers.
func (v *ConfigVars) Update(ctx context.Context, app string, changes map[string]*string) (*ConfigChange, error) {
	var out ConfigChange
	if err := v.c.doWith(ctx, v.c.rollout, http.MethodPatch, changes, &out, "v1", "apps", app, "config"); err != nil {
		return nil, err
	}
	out.ConfigKeys = nonNil(out.ConfigKeys)
	return &out, nil
}
