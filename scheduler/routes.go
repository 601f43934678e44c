package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// Routes live in Nomad's variables, one per app at routesPrefix+app: the
// router already follows Nomad, and its routes then survive the loss of
// paasd or Postgres like the service catalogue does.
const (
	routesPrefix = "paas/routes/"
	routeItem    = "route"
)

// SetRoute records how the router splits r.App's traffic. Routers see the
// change within a blocking query's round trip.
func (s *Scheduler) SetRoute(ctx context.Context, r paas.Route) error {
	if err := r.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	v := &api.Variable{Path: routesPrefix + r.App, Items: api.VariableItems{routeItem: string(b)}}
	if _, _, err := s.client.Variables().Create(v, write(ctx)); err != nil {
		return fmt.Errorf("set route of %s: %w", r.App, nomadError(err))
	}
	s.log.Info("route set", "app", r.App, "release", r.Release, "canary", r.Canary,
		"canary_weight", r.CanaryWeight, "maintenance", r.Maintenance)
	return nil
}

// Route returns the route of app; an app without one has the zero route,
// which sends traffic to every healthy instance.
func (s *Scheduler) Route(ctx context.Context, app string) (paas.Route, error) {
	v, _, err := s.client.Variables().Peek(routesPrefix+app, query(ctx))
	if err != nil {
		return paas.Route{}, fmt.Errorf("read route of %s: %w", app, nomadError(err))
	}
	if v == nil {
		return paas.Route{App: app}, nil
	}
	return parseRoute(app, v.Items)
}

// DeleteRoute forgets the route of app, as when it is destroyed.
func (s *Scheduler) DeleteRoute(ctx context.Context, app string) error {
	if _, err := s.client.Variables().Delete(routesPrefix+app, write(ctx)); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete route of %s: %w", app, nomadError(err))
	}
	return nil
}

// WatchRoutes calls fn with the routes of all apps: once when it first
// reads them, then each time one changes. Like WatchInstances it backs off
// and retries while Nomad does not answer, without calling fn, so that the
// consumer keeps the routes it knows. It returns nil when ctx ends.
func (s *Scheduler) WatchRoutes(ctx context.Context, fn func([]paas.Route)) error {
	return watchVariables(ctx, s, routeSet, fn)
}

// routeSet is the routes of all apps, one variable each, by app.
var routeSet = variableSet[paas.Route]{
	what: "route", prefix: routesPrefix,
	parse: func(path string, items api.VariableItems) (paas.Route, error) {
		app, _ := strings.CutPrefix(path, routesPrefix)
		if err := paas.ValidateAppName(app); err != nil {
			return paas.Route{}, err
		}
		return parseRoute(app, items)
	},
	compare: func(a, b paas.Route) int { return strings.Compare(a.App, b.App) },
}

func parseRoute(app string, items api.VariableItems) (paas.Route, error) {
	var r paas.Route
	if err := json.Unmarshal([]byte(items[routeItem]), &r); err != nil {
		return paas.Route{}, fmt.Errorf("route of %s is not valid JSON: %w", app, err)
	}
	if r.App != app {
		return paas.Route{}, fmt.Errorf("route at %s%s names app %q", routesPrefix, app, r.App)
	}
	return r, r.Validate()
}
