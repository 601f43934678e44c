package metricsample

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The router's metrics the sampler reads (docs/router.md).
const (
	metricRequests = "paas_router_requests_total"
	metricDuration = "paas_router_request_duration_seconds"
	metricInFlight = "paas_router_in_flight"
)

// appTotals are an app's counters at one scrape, summed over releases.
type appTotals struct {
	requests, errors float64
	// buckets maps a histogram bucket's upper bound to its cumulative
	// count; count is the histogram's total.
	buckets  map[float64]float64
	count    float64
	inFlight float64
}

// parse reads the Prometheus text format into totals per app. Series
// without an app (requests for hosts that name none) are left out.
func parse(r io.Reader) (map[string]appTotals, error) { return parseBy(r, byApp) }

// byApp and byRelease say which series a total sums: an app's, or one
// release's ("app/release").
func byApp(m *dto.Metric) string { return label(m, "app") }

func byRelease(m *dto.Metric) string {
	app, rel := label(m, "app"), label(m, "release")
	if app == "" || rel == "" {
		return ""
	}
	return app + "/" + rel
}

// parseBy reads the Prometheus text format into totals by the key that
// key gives each series; series it gives "" are left out.
func parseBy(r io.Reader, key func(*dto.Metric) string) (map[string]appTotals, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("parse router metrics: %w", err)
	}
	out := map[string]appTotals{}
	get := func(app string) appTotals {
		t, ok := out[app]
		if !ok {
			t.buckets = map[float64]float64{}
		}
		return t
	}
	for _, m := range family(fams, metricRequests) {
		app := key(m)
		if app == "" {
			continue
		}
		t := get(app)
		v := m.GetCounter().GetValue()
		t.requests += v
		if label(m, "code_class") == "5xx" {
			t.errors += v
		}
		out[app] = t
	}
	for _, m := range family(fams, metricDuration) {
		app := key(m)
		if app == "" {
			continue
		}
		t := get(app)
		h := m.GetHistogram()
		t.count += float64(h.GetSampleCount())
		for _, b := range h.GetBucket() {
			t.buckets[b.GetUpperBound()] += float64(b.GetCumulativeCount())
		}
		out[app] = t
	}
	for _, m := range family(fams, metricInFlight) {
		if app := key(m); app != "" {
			t := get(app)
			t.inFlight += m.GetGauge().GetValue()
			out[app] = t
		}
	}
	return out, nil
}

func family(fams map[string]*dto.MetricFamily, name string) []*dto.Metric {
	if f, ok := fams[name]; ok {
		return f.GetMetric()
	}
	return nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// since is what happened between prev and t. A counter that went down
// means the router restarted: t then counts from zero.
func (t appTotals) since(prev appTotals) appTotals {
	if t.requests < prev.requests || t.count < prev.count {
		return t
	}
	d := appTotals{requests: t.requests - prev.requests, errors: max(0, t.errors-prev.errors),
		count: t.count - prev.count, buckets: map[float64]float64{}}
	for le, n := range t.buckets {
		d.buckets[le] = max(0, n-prev.buckets[le])
	}
	return d
}

// point turns an interval of secs seconds into rates and quantiles.
func (t appTotals) point(secs float64) Point {
	return Point{RPS: t.requests / secs, ErrorRate: t.errors / secs,
		P50: t.quantile(0.5), P95: t.quantile(0.95)}
}

// quantile estimates the q-quantile of the interval's latencies as
// Prometheus's histogram_quantile does: linear within the bucket that holds
// it.
func (t appTotals) quantile(q float64) time.Duration {
	if t.count <= 0 {
		return 0
	}
	bounds := make([]float64, 0, len(t.buckets))
	for le := range t.buckets {
		bounds = append(bounds, le)
	}
	sort.Float64s(bounds)
	rank := q * t.count
	lower, below := 0.0, 0.0
	for _, le := range bounds {
		n := t.buckets[le]
		if n >= rank {
			if math.IsInf(le, 1) {
				return seconds(lower) // beyond the last finite bound: say its bound
			}
			frac := 0.0
			if n > below {
				frac = (rank - below) / (n - below)
			}
			return seconds(lower + (le-lower)*frac)
		}
		lower, below = le, n
	}
	return seconds(lower)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
