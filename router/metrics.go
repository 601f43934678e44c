package router

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// durationBuckets, in seconds, start at a millisecond since most of what a
// router adds is well under that, and end at the response header timeout.
var durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// codeClasses are the values of the code_class label, by status/100.
var codeClasses = [...]string{"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"}

// rejectReasons are every value of the reason label, created up front so
// that a rate of rejections starts from zero rather than from nothing.
var rejectReasons = []string{reasonRateLimit, reasonBulkhead, reasonBodyTooLarge, reasonBodyTimeout, reasonMaintenance, reasonNoHealthy}

// metrics holds the router's Prometheus metrics in a registry of its own.
// Labels are only app and release names from the table, never anything a
// client sent, so the number of series is bounded by what is deployed;
// series of apps and releases that leave the table are deleted.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec   // app, release, code_class
	duration  *prometheus.HistogramVec // app, release
	ejections *prometheus.CounterVec   // app
	rejected  *prometheus.CounterVec   // app, reason
	unmatched releaseMetrics           // requests for no deployed app
}

// releaseMetrics are the series of one app and release, resolved once so
// that a request does not hash its labels.
type releaseMetrics struct {
	requests [len(codeClasses)]prometheus.Counter
	duration prometheus.Observer
}

// appMetrics are the series of one app: its requests that reached no
// target (release ""), its ejections and its rejections.
type appMetrics struct {
	noTarget  releaseMetrics
	ejections prometheus.Counter
	rejected  map[string]prometheus.Counter
}

func newMetrics(r *Router) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paas_router_requests_total",
			Help: "Requests answered, by app, release (empty when no instance was reached) and class of status code.",
		}, []string{"app", "release", "code_class"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "paas_router_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its response, by app and release.",
			Buckets: durationBuckets,
		}, []string{"app", "release"}),
		ejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paas_router_ejections_total",
			Help: "Times an instance left rotation, by failing its health checks or refusing a connection.",
		}, []string{"app"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "paas_router_rejected_total",
			Help: "Requests the router answered itself without reaching the app, by reason.",
		}, []string{"app", "reason"}),
	}
	m.unmatched = m.forRelease("", "")
	m.reg.MustRegister(m.requests, m.duration, m.ejections, m.rejected, inFlightCollector{r},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) forRelease(app, release string) releaseMetrics {
	var rm releaseMetrics
	for i := 1; i < len(codeClasses); i++ {
		rm.requests[i] = m.requests.WithLabelValues(app, release, codeClasses[i])
	}
	rm.duration = m.duration.WithLabelValues(app, release)
	return rm
}

func (m *metrics) forApp(app string) appMetrics {
	am := appMetrics{
		noTarget:  m.forRelease(app, ""),
		ejections: m.ejections.WithLabelValues(app),
		rejected:  map[string]prometheus.Counter{},
	}
	for _, reason := range rejectReasons {
		am.rejected[reason] = m.rejected.WithLabelValues(app, reason)
	}
	return am
}

// observe counts one answered request.
func (rm *releaseMetrics) observe(status int, d time.Duration) {
	rm.requests[min(max(status/100, 1), len(codeClasses)-1)].Inc()
	rm.duration.Observe(d.Seconds())
}

// forgetApp deletes every series of app.
func (m *metrics) forgetApp(app string) {
	l := prometheus.Labels{"app": app}
	m.requests.DeletePartialMatch(l)
	m.duration.DeletePartialMatch(l)
	m.ejections.DeletePartialMatch(l)
	m.rejected.DeletePartialMatch(l)
}

// forgetRelease deletes the series of one release of app.
func (m *metrics) forgetRelease(app, release string) {
	l := prometheus.Labels{"app": app, "release": release}
	m.requests.DeletePartialMatch(l)
	m.duration.DeletePartialMatch(l)
}

// forgetGone deletes the series of the apps and releases that are in old
// but not in next.
func (m *metrics) forgetGone(old, next *table) {
	for app, lb := range old.apps {
		if next.apps[app] == nil {
			m.forgetApp(app)
			continue
		}
		for release := range releasesOf(lb) {
			if !releasesOf(next.apps[app])[release] {
				m.forgetRelease(app, release)
			}
		}
	}
}

func releasesOf(lb *loadBalancer) map[string]bool {
	set := map[string]bool{}
	for _, t := range lb.targets {
		set[t.release] = true
	}
	return set
}

// inFlightCollector reports paas_router_in_flight from the bulkheads of
// the apps in the table at the time of the scrape, so that counting a
// request in flight costs nothing more than the bulkhead does.
type inFlightCollector struct{ r *Router }

var inFlightDesc = prometheus.NewDesc("paas_router_in_flight",
	"Requests being proxied to the app right now.", []string{"app"}, nil)

// Describe sends the one metric the collector reports.
func (c inFlightCollector) Describe(ch chan<- *prometheus.Desc) { ch <- inFlightDesc }

// Collect sends the requests in flight of every app in the table.
func (c inFlightCollector) Collect(ch chan<- prometheus.Metric) {
	for app, lb := range c.r.table.Load().apps {
		ch <- prometheus.MustNewConstMetric(inFlightDesc, prometheus.GaugeValue, float64(lb.state.inFlight.Load()), app)
	}
}

// MetricsHandler serves the router's metrics in the Prometheus text
// format: paas_router_requests_total, paas_router_request_duration_seconds,
// paas_router_in_flight, paas_router_ejections_total and
// paas_router_rejected_total, with the Go runtime's and the process's.
func (r *Router) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(r.metrics.reg, promhttp.HandlerOpts{})
}

func releaseLabel(release int) string { return strconv.Itoa(release) }
