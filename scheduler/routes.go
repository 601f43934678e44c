package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

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
	var (
		index   uint64
		backoff time.Duration
		last    []paas.Route
		known   bool
		cache   = map[string]cachedRoute{}
	)
	for ctx.Err() == nil {
		metas, qm, err := s.client.Variables().PrefixList(routesPrefix, blocking(ctx, index, blockingWait))
		if err == nil {
			var routes []paas.Route
			routes, err = s.readRoutes(ctx, metas, cache)
			if err == nil {
				backoff, index = 0, nextIndex(qm.LastIndex)
				if !known || !slices.Equal(routes, last) {
					fn(slices.Clone(routes))
					last, known = routes, true
				}
				continue
			}
		}
		if ctx.Err() != nil {
			break
		}
		backoff = min(max(2*backoff, watchBackoffMin), watchBackoffMax)
		s.log.Warn("watch routes", "error", err, "retry_in", backoff.String())
		sleep(ctx, backoff)
		index = 0
	}
	return nil
}

// cachedRoute is a route read at a variable's modify index, so that a
// change to one app's route reads only that one again.
type cachedRoute struct {
	index uint64
	route paas.Route
}

func (s *Scheduler) readRoutes(ctx context.Context, metas []*api.VariableMetadata, cache map[string]cachedRoute) ([]paas.Route, error) {
	seen := map[string]bool{}
	var routes []paas.Route
	for _, m := range metas {
		app, ok := strings.CutPrefix(m.Path, routesPrefix)
		if !ok || paas.ValidateAppName(app) != nil {
			continue
		}
		seen[app] = true
		c, ok := cache[app]
		if !ok || c.index != m.ModifyIndex {
			v, _, err := s.client.Variables().Peek(m.Path, query(ctx))
			if err != nil {
				return nil, fmt.Errorf("read route of %s: %w", app, nomadError(err))
			}
			if v == nil {
				continue // deleted since the listing
			}
			r, err := parseRoute(app, v.Items)
			if err != nil {
				s.log.Warn("route ignored", "app", app, "error", err)
				continue
			}
			c = cachedRoute{index: m.ModifyIndex, route: r}
			cache[app] = c
		}
		routes = append(routes, c.route)
	}
	for app := range cache {
		if !seen[app] {
			delete(cache, app)
		}
	}
	slices.SortFunc(routes, func(a, b paas.Route) int { return strings.Compare(a.App, b.App) })
	return routes, nil
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
