package router

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// canaryCookie keeps a client on one side of a canary: it holds the
// client's bucket, 0 to 99, and buckets below the canary's weight go to
// the canary. Raising the weight moves clients to the canary and never
// back; a client keeps its bucket across canaries.
const canaryCookie = "paas-canary"

// UpdateRoutes replaces the routes of all apps: which release takes an
// app's traffic, which takes a canary's share, and which apps are in
// maintenance (replacing any SetMaintenance made). It saves the state file. Requests to a release that loses
// its traffic finish on it; websockets and event streams still open on it
// DrainTimeout later are closed. UpdateRoutes after Close does nothing.
func (r *Router) UpdateRoutes(routes []paas.Route) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.replaceRoutes(routes)
	r.save()
}

// replaceRoutes must be called with r.mu held.
func (r *Router) replaceRoutes(routes []paas.Route) {
	old := *r.routes.Load()
	next := make(map[string]paas.Route, len(routes))
	var maintenance []string
	for _, rt := range routes {
		if err := rt.Validate(); err != nil {
			r.logger.Warn("route ignored", "app", rt.App, "error", err)
			continue
		}
		next[rt.App] = rt
		if rt.Maintenance {
			maintenance = append(maintenance, rt.App)
		}
		if old[rt.App] != rt {
			r.logger.Info("route changed", "app", rt.App, "release", rt.Release,
				"canary", rt.Canary, "canary_weight", rt.CanaryWeight, "maintenance", rt.Maintenance)
		}
	}
	r.routes.Store(&next)
	r.replaceMaintenance(maintenance)
	r.scheduleDrains(old, next)
}

// Routes returns the routes the router follows, by app.
func (r *Router) Routes() map[string]paas.Route { return *r.routes.Load() }

// routeOf returns app's route; the zero route sends traffic to every
// healthy instance.
func (r *Router) routeOf(app string) paas.Route {
	m := *r.routes.Load()
	if len(m) == 0 {
		return paas.Route{}
	}
	return m[app]
}

// routed picks the target for req among lb's: one of the release its route
// gives req, else one of the stable release, else any healthy one. The
// fallbacks keep traffic flowing while a release the route just switched
// to has not yet passed the router's own first check.
func (r *Router) routed(req *http.Request, ex *exchange, lb *loadBalancer, skip *target) *target {
	return r.pickRouted(ex.app, lb, skip, func() int { return canaryBucket(req, ex) })
}

// pickRouted is routed for any kind of request: bucket returns the
// client's canary bucket, and is called only while app has a canary.
func (r *Router) pickRouted(app string, lb *loadBalancer, skip *target, bucket func() int) *target {
	rt := r.routeOf(app)
	if rt.Release == 0 {
		return lb.pickIn(0, skip)
	}
	want := rt.Release
	if rt.Canary != 0 && rt.CanaryWeight > 0 && bucket() < rt.CanaryWeight {
		want = rt.Canary
	}
	if t := lb.pickIn(want, skip); t != nil {
		return t
	}
	if want != rt.Release {
		if t := lb.pickIn(rt.Release, skip); t != nil {
			return t
		}
	}
	return lb.pickIn(0, skip)
}

// canaryBucket returns the client's bucket from its cookie, or gives it a
// new one, set on the response.
func canaryBucket(req *http.Request, ex *exchange) int {
	if c, err := req.Cookie(canaryCookie); err == nil {
		if n, ok := parseBucket(c.Value); ok {
			return n
		}
	}
	if ex.bucket >= 0 {
		return ex.bucket // a retry of this request
	}
	ex.bucket = rand.IntN(100)
	ex.rec.Header().Add("Set-Cookie", bucketCookie(ex.bucket))
	return ex.bucket
}

// parseBucket parses a canary cookie's value: 0 to 99.
func parseBucket(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && n < 100
}

// bucketCookie is the Set-Cookie value that gives a client its bucket.
func bucketCookie(bucket int) string {
	return (&http.Cookie{
		Name: canaryCookie, Value: strconv.Itoa(bucket), Path: "/",
		MaxAge: int((24 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}).String()
}

// takesTraffic reports whether t's release takes traffic under its app's route.
func (r *Router) takesTraffic(t *target) bool {
	rt := r.routeOf(t.inst.App)
	return rt.Release == 0 || t.inst.Release == rt.Release || t.inst.Release == rt.Canary
}

// scheduleDrains closes, DrainTimeout from now, the long-lived requests on
// the targets that next takes traffic away from, unless a later change
// gave it back by then.
func (r *Router) scheduleDrains(old, next map[string]paas.Route) {
	for app, lb := range r.table.Load().apps {
		before, after := old[app], next[app]
		if before == after {
			continue
		}
		for _, t := range lb.targets {
			if r.takesTraffic(t) {
				continue
			}
			time.AfterFunc(r.opts.DrainTimeout, func() {
				if !r.takesTraffic(t) {
					t.closeStreams("its release no longer takes traffic")
				}
			})
		}
	}
}

// isLongLived reports whether req may stay open for long: a websocket or
// an event stream. Only those are tracked for draining; other requests end
// on their own, or with the instance when it stops.
func isLongLived(req *http.Request) bool {
	return req.Header.Get("Upgrade") != "" || strings.Contains(req.Header.Get("Accept"), "text/event-stream")
}

// trackStream registers the cancel function of a long-lived request on t
// and returns the function that forgets it.
func (t *target) trackStream(cancel context.CancelFunc) (done func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.streams == nil {
		t.streams = map[uint64]context.CancelFunc{}
	}
	t.nextStream++
	id := t.nextStream
	t.streams[id] = cancel
	return func() {
		t.mu.Lock()
		delete(t.streams, id)
		t.mu.Unlock()
		cancel()
	}
}

// closeStreams ends every long-lived request still open on t.
func (t *target) closeStreams(why string) {
	t.mu.Lock()
	streams := t.streams
	t.streams = nil
	t.mu.Unlock()
	if len(streams) > 0 {
		t.logger.Info("closing long-lived requests", "count", len(streams), "reason", why)
	}
	for _, cancel := range streams {
		cancel()
	}
}
