package router

import (
	"cmp"
	"slices"

	"github.com/gitpaas/paas"
)

// table is one immutable snapshot of what the router serves: a balancer per
// app, and every target by the instance it came from so that the next
// Update can keep the targets (and their health) that did not change.
type table struct {
	apps    map[string]*loadBalancer
	targets map[paas.Instance]*target
	// rejected holds the instances the router could not use, so that each
	// is logged once rather than on every Update.
	rejected map[paas.Instance]bool
}

func newTable() *table {
	return &table{
		apps:     map[string]*loadBalancer{},
		targets:  map[paas.Instance]*target{},
		rejected: map[paas.Instance]bool{},
	}
}

// lookup returns the balancer of app, or nil when app has no instance.
func (t *table) lookup(app string) *loadBalancer { return t.apps[app] }

// tableChange is the result of building a table: the table and the targets
// it added to and removed from the previous one.
type tableChange struct {
	next           *table
	added, removed []*target
}

// buildTable returns the table for instances, reusing the targets of old
// that are still listed. Targets it creates are not started yet.
func (r *Router) buildTable(old *table, instances []paas.Instance) tableChange {
	ch := tableChange{next: newTable()}
	for _, inst := range instances {
		r.addInstance(old, &ch, inst)
	}
	for key, t := range old.targets {
		if ch.next.targets[key] == nil {
			ch.removed = append(ch.removed, t)
		}
	}
	for app, lb := range ch.next.apps {
		sortTargets(lb.targets)
		if prev := old.lookup(app); prev != nil {
			lb.next.Store(prev.next.Load()) // keep the rotation going
		}
	}
	return ch
}

// balancerFor returns the balancer of app in ch.next, creating it with the
// app's state from old, or a new state, on first use.
func (r *Router) balancerFor(old *table, ch *tableChange, app string) *loadBalancer {
	lb := ch.next.apps[app]
	if lb != nil {
		return lb
	}
	lb = &loadBalancer{}
	if prev := old.lookup(app); prev != nil {
		lb.state = prev.state
	} else {
		lb.state = r.newAppState(app)
	}
	ch.next.apps[app] = lb
	return lb
}

// addInstance adds inst to ch.next, once, unless it is unusable.
func (r *Router) addInstance(old *table, ch *tableChange, inst paas.Instance) {
	key, err := normalizeInstance(inst)
	if err != nil {
		ch.next.rejected[inst] = true
		if !old.rejected[inst] {
			r.logger.Warn("instance ignored", "app", inst.App, "release", inst.Release,
				"addr", inst.Addr, "alloc", inst.AllocID, "error", err)
		}
		return
	}
	if ch.next.targets[key] != nil {
		return // listed twice
	}
	lb := r.balancerFor(old, ch, key.App)
	t := old.targets[key]
	if t == nil {
		t = newTarget(r.ctx, key, r.limits, r.logger)
		t.metrics = r.metrics.forRelease(key.App, t.release)
		t.ejections = lb.state.metrics.ejections
		ch.added = append(ch.added, t)
	}
	ch.next.targets[key] = t
	lb.targets = append(lb.targets, t)
}

// sortTargets orders targets by address so that the rotation does not
// depend on the order in which discovery lists instances.
func sortTargets(targets []*target) {
	slices.SortFunc(targets, func(a, b *target) int {
		return cmp.Or(cmp.Compare(a.inst.Addr, b.inst.Addr), cmp.Compare(a.inst.AllocID, b.inst.AllocID),
			cmp.Compare(a.inst.Release, b.inst.Release), cmp.Compare(a.inst.HealthPath, b.inst.HealthPath))
	})
}
