package pipeline

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/gitpaas/paas"
)

// AutoscaleStore keeps autoscaling policies set through the API and the
// counts the autoscaler gave the process types of a release.
type AutoscaleStore interface {
	AutoscalePolicies(ctx context.Context, app string) ([]*paas.AutoscalePolicy, error)
	PutAutoscalePolicy(ctx context.Context, p paas.AutoscalePolicy) error
	ScaledCounts(ctx context.Context, app string, release int) (map[string]int, error)
	SetScaledCount(ctx context.Context, app string, release int, process string, count int) error
	AddEvent(ctx context.Context, app string, e paas.Event) error
}

// Scaler changes the counts of a running release in place.
type Scaler interface {
	Scale(ctx context.Context, d paas.Deployment) error
}

// EnableAutoscale lets the pipeline scale releases in place and keep
// autoscaling policies. Without it, Autoscale and the policy calls fail
// and ps:scale knows no bounds.
func (p *Pipeline) EnableAutoscale(store AutoscaleStore, s Scaler) {
	p.autoscale, p.scaler = store, s
}

// AutoscaleBy names the autoscaler in events.
const AutoscaleBy = "autoscaler"

// Autoscale sets the count of one process type of app's current release in
// place (no new release: the same job is scaled) and records the change as
// a scale event with reason. It reports whether the count changed.
func (p *Pipeline) Autoscale(ctx context.Context, app, process string, count int, reason string) (bool, error) {
	if p.autoscale == nil {
		return false, paas.Errorf(paas.EUNAVAILABLE, "autoscaling is not enabled on this platform")
	}
	unlock := p.lockApp(app)
	defer unlock()
	cur, err := p.currentRelease(ctx, app)
	if err != nil {
		return false, err
	}
	i := slices.IndexFunc(cur.Spec.Formation, func(pr paas.Process) bool { return pr.Type == process })
	if i < 0 {
		return false, unknownProcess(cur, process)
	}
	from := cur.Spec.Formation[i].Count
	if from == count {
		return false, nil
	}
	cur.Spec.Formation[i].Count = count
	if err := p.scaler.Scale(ctx, deploymentOf(cur)); err != nil {
		return false, err
	}
	if err := p.autoscale.SetScaledCount(ctx, app, cur.Version, process, count); err != nil {
		return true, err
	}
	msg := fmt.Sprintf("%s %d → %d on v%d: %s", process, from, count, cur.Version, reason)
	p.logger.Info("autoscaled", "app", app, "release", cur.Version, "process", process, "from", from, "to", count, "reason", reason)
	return true, p.autoscale.AddEvent(ctx, app, paas.Event{Kind: paas.EventScale, Message: msg, CreatedBy: AutoscaleBy})
}

// AutoscalePolicies returns the policy of every process type of app's
// current release that has one: the one set through the API, else the
// one its app.yml declares. Disabled policies are included.
func (p *Pipeline) AutoscalePolicies(ctx context.Context, app string) ([]paas.AutoscalePolicy, *paas.Release, error) {
	if p.autoscale == nil {
		return nil, nil, paas.Errorf(paas.EUNAVAILABLE, "autoscaling is not enabled on this platform")
	}
	cur, err := p.currentRelease(ctx, app)
	if err != nil {
		return nil, nil, err
	}
	set, err := p.autoscale.AutoscalePolicies(ctx, app)
	if err != nil {
		return nil, nil, err
	}
	byType := map[string]paas.AutoscalePolicy{}
	for _, pr := range cur.Spec.Formation {
		if pr.Autoscale != nil {
			byType[pr.Type] = paas.AutoscalePolicy{App: app, Process: pr.Type, Enabled: true,
				Min: pr.Min, Max: pr.Max, AutoscaleTargets: *pr.Autoscale, Source: paas.AutoscaleSourceYML}
		}
	}
	for _, sp := range set {
		if slices.ContainsFunc(cur.Spec.Formation, func(pr paas.Process) bool { return pr.Type == sp.Process }) {
			byType[sp.Process] = *sp
		}
	}
	out := make([]paas.AutoscalePolicy, 0, len(byType))
	for _, k := range slices.Sorted(maps.Keys(byType)) {
		out = append(out, byType[k])
	}
	return out, cur, nil
}

// SetAutoscalePolicy validates pol against app's current release and
// stores it; the autoscaler applies it on its next pass.
func (p *Pipeline) SetAutoscalePolicy(ctx context.Context, user *paas.User, pol paas.AutoscalePolicy) (paas.AutoscalePolicy, error) {
	if p.autoscale == nil {
		return pol, paas.Errorf(paas.EUNAVAILABLE, "autoscaling is not enabled on this platform")
	}
	if err := pol.Validate(); err != nil {
		return pol, err
	}
	cur, err := p.currentRelease(ctx, pol.App)
	if err != nil {
		return pol, err
	}
	if _, ok := cur.Spec.Process(pol.Process); !ok {
		return pol, unknownProcess(cur, pol.Process)
	}
	pol.Source, pol.UpdatedBy = paas.AutoscaleSourceUser, user.Name
	if err := p.autoscale.PutAutoscalePolicy(ctx, pol); err != nil {
		return pol, err
	}
	p.logger.Info("autoscale policy set", "app", pol.App, "process", pol.Process, "policy", pol.Describe())
	return pol, nil
}

// Formation returns the formation of app's current release with the
// counts the autoscaler has since given it, which is what Nomad runs.
func (p *Pipeline) Formation(ctx context.Context, app string) ([]paas.Process, error) {
	cur, err := p.currentRelease(ctx, app)
	if err != nil {
		return nil, err
	}
	return cur.Spec.Formation, nil
}

// applyScaledCounts makes r's formation the counts the autoscaler gave it.
func (p *Pipeline) applyScaledCounts(ctx context.Context, r *paas.Release) error {
	if p.autoscale == nil {
		return nil
	}
	counts, err := p.autoscale.ScaledCounts(ctx, r.App, r.Version)
	if err != nil {
		return err
	}
	for i, pr := range r.Spec.Formation {
		if n, ok := counts[pr.Type]; ok {
			r.Spec.Formation[i].Count = n
		}
	}
	return nil
}

// checkBounds refuses a manual count outside the bounds of an enabled
// autoscaling policy, which the autoscaler would undo at once.
func (p *Pipeline) checkBounds(ctx context.Context, app string, counts map[string]int) error {
	if p.autoscale == nil {
		return nil
	}
	pols, _, err := p.AutoscalePolicies(ctx, app)
	if err != nil {
		return err
	}
	for _, pol := range pols {
		n, ok := counts[pol.Process]
		if ok && pol.Enabled && (n < pol.Min || n > pol.Max) {
			return paas.Errorf(paas.EINVALID, "%s=%d is outside its autoscaling bounds %d..%d; scale within them, change them with paas autoscale:enable %s --min N --max N, or turn autoscaling off with paas autoscale:disable %s",
				pol.Process, n, pol.Min, pol.Max, pol.Process, pol.Process)
		}
	}
	return nil
}
