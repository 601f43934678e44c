package pipeline

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/builder"
	"github.com/gitpaas/paas/internal/appspec"
)

// Files of a commit that declare how an app runs, in order of precedence.
const (
	appYMLFile   = "app.yml"
	procfileFile = "Procfile"
)

// loadSpec reads the pushed commit's app.yml, else its Procfile, else
// takes the defaults. A malformed file fails the push before anything is
// built. It also returns the file's text, which the release keeps.
func (p *Pipeline) loadSpec(ctx context.Context, repo, commit string, out io.Writer) (*appspec.Spec, string, error) {
	for _, f := range []struct {
		name  string
		parse func(string, []byte) (*appspec.Spec, error)
	}{{appYMLFile, appspec.Parse}, {procfileFile, appspec.ParseProcfile}} {
		data, err := p.builder.ReadFile(ctx, repo, commit, f.name, appspec.MaxFileBytes)
		if paas.ErrorCode(err) == paas.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		spec, err := f.parse(f.name, data)
		if err != nil {
			return nil, "", err
		}
		fmt.Fprintf(out, "-----> Using %s: processes %v\n", f.name, spec.ProcessTypes())
		return spec, string(data), nil
	}
	return appspec.Default(), "", nil
}

// buildRequest is how the builder builds the commit under spec.
func buildRequest(repo, commit, image, app string, spec *appspec.Spec) builder.Request {
	return builder.Request{
		RepoPath: repo, Commit: commit, Tag: image,
		Dockerfile:   spec.Build.Dockerfile,
		Stack:        spec.Build.Stack,
		BuildCommand: spec.Build.Command,
		Labels:       map[string]string{"paas.app": app},
	}
}

// releaseSpec turns an app spec into what a release records.
func releaseSpec(spec *appspec.Spec) paas.ReleaseSpec {
	rs := paas.ReleaseSpec{
		Env:            spec.Env,
		Health:         paas.HealthCheck{Path: spec.Health.Path, Interval: spec.Health.Interval, Timeout: spec.Health.Timeout},
		ReleaseCommand: spec.Release,
		Strategy:       spec.Deploy.Strategy,
		Addons:         spec.Addons,
	}
	if c := spec.Deploy.Canary; c != nil && spec.Deploy.Strategy == paas.StrategyCanary {
		rs.Canary = &paas.CanaryPolicy{Steps: slices.Clone(c.Steps), Interval: c.Interval}
	}
	for _, typ := range spec.ProcessTypes() {
		proc := spec.Processes[typ]
		rs.Formation = append(rs.Formation, paas.Process{
			Type: typ, Command: proc.Command, Count: proc.Scale.Count,
			CPU: proc.CPU, Memory: proc.Memory, Min: proc.Scale.Min, Max: proc.Scale.Max,
			Autoscale: autoscaleTargets(proc.Scale),
		})
	}
	return rs
}

// autoscaleTargets is the policy a process's scale declares, nil when it
// sets no target. The pipeline reads it from the current release
// (AutoscalePolicies), so a push applies it unless a policy set with the
// CLI overrides it.
func autoscaleTargets(s appspec.Scale) *paas.AutoscaleTargets {
	if !s.Autoscaled() {
		return nil
	}
	t := &paas.AutoscaleTargets{Inflight: s.TargetInflight, RPS: s.TargetRPS, P95: s.TargetP95}
	if s.ToZero {
		t.Idle = s.Idle
	}
	return t
}
