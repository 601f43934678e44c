package pipeline

import (
	"context"
	"maps"

	"github.com/gitpaas/paas"
)

// deploymentOf is what the scheduler runs for release r: its formation, and
// its environment, where config vars override app.yml's defaults.
func deploymentOf(r *paas.Release) paas.Deployment {
	env := maps.Clone(r.Spec.Env)
	if env == nil {
		env = map[string]string{}
	}
	maps.Copy(env, r.Config)
	return paas.Deployment{
		App: r.App, Release: r.Version, Image: r.Image, Env: env,
		Processes:      r.Spec.Formation,
		HealthPath:     r.Spec.Health.Path,
		HealthInterval: r.Spec.Health.Interval,
		HealthTimeout:  r.Spec.Health.Timeout,
	}
}

// oneOffOf runs command with release r's image, under the image's
// entrypoint, and with r's environment.
func (p *Pipeline) oneOffOf(ctx context.Context, r *paas.Release, command []string) (paas.OneOff, error) {
	entrypoint, err := p.builder.Entrypoint(ctx, r.Image)
	if err != nil {
		return paas.OneOff{}, err
	}
	d := deploymentOf(r)
	return paas.OneOff{App: r.App, Release: r.Version, Image: r.Image, Entrypoint: entrypoint, Command: command, Env: d.Env}, nil
}

// cloneRelease copies what a new release keeps of base: the image, the
// spec, the config vars and the app.yml.
func cloneRelease(base *paas.Release) *paas.Release {
	spec := base.Spec
	spec.Formation = append([]paas.Process(nil), base.Spec.Formation...)
	spec.Env = maps.Clone(base.Spec.Env)
	return &paas.Release{
		App: base.App, Image: base.Image, BuildID: base.BuildID, Spec: spec,
		Config: maps.Clone(base.Config), AppYML: base.AppYML,
	}
}
