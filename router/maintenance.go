package router

import (
	"maps"
	"slices"
)

// maintenanceRetryAfter is the Retry-After of a maintenance page, in
// seconds: maintenance takes minutes, not the second of a full bulkhead.
const maintenanceRetryAfter = "60"

// SetMaintenance puts app in maintenance mode, or takes it out. While in
// maintenance, every request to app gets a 503 maintenance page, whether
// or not the app has instances; health checks go on, so the app serves at
// once when maintenance ends. The maintenance set is separate from the
// table that Update replaces, and is saved with it to the state file.
func (r *Router) SetMaintenance(app string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setMaintenance(app, on)
	r.save()
}

// setMaintenance must be called with r.mu held. Requests read the set
// through an atomic pointer, so it is copied on write.
func (r *Router) setMaintenance(app string, on bool) {
	old := *r.maintenance.Load()
	if old[app] == on {
		return
	}
	next := maps.Clone(old)
	if on {
		next[app] = true
	} else {
		delete(next, app)
	}
	r.maintenance.Store(&next)
	if !on && r.table.Load().lookup(app) == nil {
		r.metrics.forgetApp(app) // its series came only from maintenance
	}
	r.logger.Info("maintenance "+onOff(on), "app", app)
}

// replaceMaintenance must be called with r.mu held.
func (r *Router) replaceMaintenance(apps []string) {
	next := map[string]bool{}
	for _, app := range apps {
		next[app] = true
	}
	r.maintenance.Store(&next)
}

// Maintenance returns the apps in maintenance mode, sorted.
func (r *Router) Maintenance() []string {
	return slices.Sorted(maps.Keys(*r.maintenance.Load()))
}

func (r *Router) inMaintenance(app string) bool {
	m := *r.maintenance.Load()
	return len(m) > 0 && m[app]
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
