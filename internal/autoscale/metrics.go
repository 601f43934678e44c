package autoscale

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The router's metrics the autoscaler reads (router/metrics.go).
const (
	metricRequests = "paas_router_requests_total"
	metricDuration = "paas_router_request_duration_seconds"
	metricInFlight = "paas_router_in_flight"
)

// maxScrapeBytes bounds a scrape of the router's metrics.
const maxScrapeBytes = 16 << 20

// sample is what the router said about one app at one moment: counters as
// they were, summed over releases.
type sample struct {
	at       time.Time
	inFlight float64
	requests float64
	// buckets are the cumulative counts of the latency histogram, by upper
	// bound in seconds, in the router's order.
	bounds  []float64
	buckets []float64
}

// scraper reads the router's metrics.
type scraper struct {
	url    string
	client *http.Client
}

// scrape returns one sample per app the router knows.
func (s *scraper) scrape(ctx context.Context, now time.Time) (map[string]*sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape router metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape router metrics: %s", resp.Status)
	}
	return parseMetrics(io.LimitReader(resp.Body, maxScrapeBytes), now)
}

// parseMetrics reads the router's metrics in the Prometheus text format.
func parseMetrics(r io.Reader, now time.Time) (map[string]*sample, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("parse router metrics: %w", err)
	}
	out := map[string]*sample{}
	get := func(app string) *sample {
		if out[app] == nil {
			out[app] = &sample{at: now}
		}
		return out[app]
	}
	for _, m := range fams[metricInFlight].GetMetric() {
		if app := label(m, "app"); app != "" {
			get(app).inFlight += m.GetGauge().GetValue()
		}
	}
	for _, m := range fams[metricRequests].GetMetric() {
		if app := label(m, "app"); app != "" {
			get(app).requests += m.GetCounter().GetValue()
		}
	}
	for _, m := range fams[metricDuration].GetMetric() {
		if app := label(m, "app"); app != "" {
			get(app).addHistogram(m.GetHistogram())
		}
	}
	return out, nil
}

func (s *sample) addHistogram(h *dto.Histogram) {
	for i, b := range h.GetBucket() {
		if i >= len(s.bounds) {
			s.bounds = append(s.bounds, b.GetUpperBound())
			s.buckets = append(s.buckets, 0)
		}
		s.buckets[i] += float64(b.GetCumulativeCount())
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// quantile estimates the q quantile of the latencies counted between two
// cumulative histograms, by linear interpolation within a bucket as
// Prometheus' histogram_quantile does. It returns 0 when no request was
// counted, and the largest finite bound when the quantile lies beyond it.
func quantile(q float64, bounds, before, after []float64) time.Duration {
	if len(after) == 0 {
		return 0
	}
	delta := func(i int) float64 {
		if i < len(before) && before[i] <= after[i] {
			return after[i] - before[i]
		}
		return after[i] // the router restarted: count from zero
	}
	total := delta(len(after) - 1)
	if total <= 0 {
		return 0
	}
	rank := q * total
	lower, prev := 0.0, 0.0
	for i, ub := range bounds {
		c := delta(i)
		if c >= rank && !math.IsInf(ub, 1) {
			frac := 0.0
			if c > prev {
				frac = (rank - prev) / (c - prev)
			}
			return seconds(lower + (ub-lower)*frac)
		}
		if !math.IsInf(ub, 1) {
			lower = ub
		}
		prev = c
	}
	return seconds(lower)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
