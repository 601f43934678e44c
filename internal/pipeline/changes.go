package pipeline

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gitpaas/paas"
)

// MaxProcessCount bounds ps:scale on a single-node platform.
const MaxProcessCount = 100

// SetConfig applies config var changes (a nil value unsets) and, when the
// app has a release, rolls out a new release with them; the app's config
// changes only if that release succeeds. Before the first release the
// change is stored for the first deploy, and the returned release is nil.
func (p *Pipeline) SetConfig(ctx context.Context, app string, user *paas.User, changes map[string]*string, out io.Writer) (*paas.Release, map[string]string, error) {
	if err := validateChanges(changes); err != nil {
		return nil, nil, err
	}
	unlock := p.lockApp(app)
	defer unlock()
	base, err := p.currentRelease(ctx, app)
	if paas.ErrorCode(err) == paas.ENOTFOUND && base == nil {
		cfg, err := p.store.UpdateConfig(ctx, app, changes)
		return nil, cfg, err
	}
	if err != nil {
		return nil, nil, err
	}
	next := cloneRelease(base)
	applyChanges(next.Config, changes)
	if len(next.Config) > paas.MaxConfigVars {
		return nil, nil, paas.Errorf(paas.EINVALID, "an app may have at most %d config vars", paas.MaxConfigVars)
	}
	next.Reason, next.Description, next.CreatedBy = paas.ReasonConfig, describeChanges(changes), user.Name
	r, err := p.releaseAndRollout(ctx, next, true, out)
	if err != nil {
		return nil, nil, err
	}
	return r, r.Config, nil
}

// Rollback makes a new release with the image, config and formation of
// release version (0: the last good release before the current one).
func (p *Pipeline) Rollback(ctx context.Context, app string, user *paas.User, version int, out io.Writer) (*paas.Release, error) {
	unlock := p.lockApp(app)
	defer unlock()
	target, err := p.rollbackTarget(ctx, app, version)
	if err != nil {
		return nil, err
	}
	next := cloneRelease(target)
	next.Reason, next.Description, next.CreatedBy = paas.ReasonRollback, fmt.Sprintf("Rollback to v%d", target.Version), user.Name
	// While the target still runs (it is warm), traffic goes back to it at
	// once; the new release then starts from the same image and config and
	// takes over as any release does.
	if a, err := p.store.GetApp(ctx, app); err == nil {
		p.abortCanaryLocked(app, "rolled back")
		p.rollBackTraffic(ctx, app, target.Version, a.Release, out)
	}
	// Heroku's rule: the release command does not run on a rollback, which
	// must work even when the database moved on.
	return p.releaseAndRollout(ctx, next, false, out)
}

func (p *Pipeline) rollbackTarget(ctx context.Context, app string, version int) (*paas.Release, error) {
	a, err := p.store.GetApp(ctx, app)
	if err != nil {
		return nil, err
	}
	if a.Release == 0 {
		return nil, paas.Errorf(paas.EINVALID, "app %s has no release to roll back from; push first", app)
	}
	if version != 0 {
		r, err := p.store.GetRelease(ctx, app, version)
		if err != nil {
			return nil, err
		}
		if r.Status != paas.ReleaseSucceeded {
			return nil, paas.Errorf(paas.EINVALID, "v%d never ran (it %s); roll back to a release that did: paas releases -a %s", version, r.Status, app)
		}
		return r, nil
	}
	for v := a.Release - 1; v >= 1; v-- {
		r, err := p.store.GetRelease(ctx, app, v)
		if err == nil && r.Status == paas.ReleaseSucceeded {
			return r, nil
		}
	}
	return nil, paas.Errorf(paas.EINVALID, "app %s has no earlier release that ran; nothing to roll back to", app)
}

// Scale sets the counts of process types and rolls out a release with the
// new formation.
func (p *Pipeline) Scale(ctx context.Context, app string, user *paas.User, counts map[string]int, out io.Writer) (*paas.Release, error) {
	unlock := p.lockApp(app)
	defer unlock()
	base, err := p.currentRelease(ctx, app)
	if err != nil {
		return nil, err
	}
	next := cloneRelease(base)
	if err := applyCounts(next.Spec.Formation, counts); err != nil {
		return nil, err
	}
	if err := p.checkBounds(ctx, app, counts); err != nil {
		return nil, err
	}
	next.Reason, next.Description, next.CreatedBy = paas.ReasonScale, describeCounts(counts), user.Name
	return p.releaseAndRollout(ctx, next, false, out)
}

// Restart replaces the running instances of the current release, of one
// process type or ("") all, one at a time.
func (p *Pipeline) Restart(ctx context.Context, app, process string) error {
	base, err := p.currentRelease(ctx, app)
	if err != nil {
		return err
	}
	if process != "" {
		if _, ok := base.Spec.Process(process); !ok {
			return unknownProcess(base, process)
		}
	}
	return p.scheduler.Restart(ctx, app, base.Version, process)
}

// Processes lists the running instances of app.
func (p *Pipeline) Processes(ctx context.Context, app string) ([]paas.ProcessState, error) {
	a, err := p.store.GetApp(ctx, app)
	if err != nil {
		return nil, err
	}
	all, err := p.scheduler.Processes(ctx, app)
	if err != nil {
		return nil, err
	}
	// The instances of the app are those of its current release and of a
	// canary; warm releases and releases still starting are not.
	rt, err := p.scheduler.Route(ctx, app)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(ps paas.ProcessState) bool {
		return a.Release != 0 && ps.Release != a.Release && (rt.Canary == 0 || ps.Release != rt.Canary)
	}), nil
}

// Run runs command once with the current release's image and config,
// streaming its output to out, and returns its exit code.
func (p *Pipeline) Run(ctx context.Context, app string, command []string, out io.Writer) (int, error) {
	if len(command) == 0 || slices.ContainsFunc(command, func(s string) bool { return strings.ContainsRune(s, 0) }) {
		return 0, paas.Errorf(paas.EINVALID, "give a command to run, e.g. paas run -a %s -- ls -l", app)
	}
	base, err := p.currentRelease(ctx, app)
	if err != nil {
		return 0, err
	}
	o, err := p.oneOffOf(ctx, base, command)
	if err != nil {
		return 0, err
	}
	p.logger.Info("one-off run", "app", app, "release", base.Version)
	return p.scheduler.Run(ctx, o, out)
}

// currentRelease returns the release serving app, or ENOTFOUND when none.
// Its formation has the counts the autoscaler gave it, so that the
// reconciler keeps them and the next release starts from them.
func (p *Pipeline) currentRelease(ctx context.Context, app string) (*paas.Release, error) {
	a, err := p.store.GetApp(ctx, app)
	if err != nil {
		return nil, err
	}
	if a.Release == 0 {
		return nil, paas.Errorf(paas.ENOTFOUND, "app %s has no release yet; deploy it first with: git push paas main", app)
	}
	r, err := p.store.GetRelease(ctx, app, a.Release)
	if err != nil {
		return nil, err
	}
	return r, p.applyScaledCounts(ctx, r)
}

func validateChanges(changes map[string]*string) error {
	if len(changes) == 0 {
		return paas.Errorf(paas.EINVALID, "no config vars given; use KEY=value, e.g. paas config:set GREETING=hello")
	}
	for k, v := range changes {
		if err := paas.ValidateConfigKey(k); err != nil {
			return err
		}
		if v != nil {
			if err := paas.ValidateConfigValue(k, *v); err != nil {
				return err
			}
		}
	}
	return nil
}

func applyChanges(config map[string]string, changes map[string]*string) {
	for k, v := range changes {
		if v == nil {
			delete(config, k)
		} else {
			config[k] = *v
		}
	}
}

// describeChanges names the keys that changed, never their values.
func describeChanges(changes map[string]*string) string {
	var set, unset []string
	for _, k := range slices.Sorted(maps.Keys(changes)) {
		if changes[k] == nil {
			unset = append(unset, k)
		} else {
			set = append(set, k)
		}
	}
	var parts []string
	if len(set) > 0 {
		parts = append(parts, "Set "+strings.Join(set, ", "))
	}
	if len(unset) > 0 {
		parts = append(parts, "Unset "+strings.Join(unset, ", "))
	}
	return strings.Join(parts, "; ") + " config vars"
}

func applyCounts(formation []paas.Process, counts map[string]int) error {
	if len(counts) == 0 {
		return paas.Errorf(paas.EINVALID, "give counts like web=2 worker=1")
	}
	for typ, n := range counts {
		if n < 0 || n > MaxProcessCount {
			return paas.Errorf(paas.EINVALID, "%s=%d: a count is between 0 and %d", typ, n, MaxProcessCount)
		}
		i := slices.IndexFunc(formation, func(p paas.Process) bool { return p.Type == typ })
		if i < 0 {
			return paas.Errorf(paas.EINVALID, "no process type %q; the types are %s (declare new ones in app.yml or a Procfile)", typ, typeNames(formation))
		}
		formation[i].Count = n
	}
	return nil
}

func describeCounts(counts map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, counts[k]))
	}
	return "Scale " + strings.Join(parts, " ")
}

func typeNames(formation []paas.Process) string {
	names := make([]string, 0, len(formation))
	for _, p := range formation {
		names = append(names, p.Type)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func unknownProcess(r *paas.Release, typ string) error {
	return paas.Errorf(paas.EINVALID, "no process type %q in v%d; the types are %s", typ, r.Version, typeNames(r.Spec.Formation))
}
