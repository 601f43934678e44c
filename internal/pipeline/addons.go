package pipeline

import (
	"context"
	"io"
	"maps"

	"github.com/gitpaas/paas"
)

// Addons provisions the add-ons that a pushed app.yml declares.
type Addons interface {
	// ProvisionDeclared makes sure app has an add-on of each type attached
	// and returns the config vars that reach them which config lacks. It
	// must not make a release: it runs under the app's release lock.
	ProvisionDeclared(ctx context.Context, app string, types []string, config map[string]string, createdBy string, out io.Writer) (map[string]string, error)
}

// SetAddons sets who provisions the add-ons app.yml declares. Without one,
// a release only records them in its spec.
func (p *Pipeline) SetAddons(a Addons) { p.addons = a }

// provisionAddons provisions the add-ons next declares that its app lacks,
// before next rolls out, and gives next the config vars that reach them.
func (p *Pipeline) provisionAddons(ctx context.Context, next *paas.Release, out io.Writer) error {
	if p.addons == nil || len(next.Spec.Addons) == 0 {
		return nil
	}
	vars, err := p.addons.ProvisionDeclared(ctx, next.App, next.Spec.Addons, next.Config, next.CreatedBy, out)
	if err != nil {
		return userError(err, "provision add-ons")
	}
	if next.Config == nil {
		next.Config = map[string]string{}
	}
	maps.Copy(next.Config, vars)
	return nil
}
