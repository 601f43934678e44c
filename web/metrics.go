package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/gitpaas/paas/internal/metricsample"
)

// chartView is a chart as the metrics page shows it.
type chartView struct {
	chart
	SVG template.HTML
}

// metricsPage draws the app's recent traffic at the router: requests,
// latency, errors and instances over time.
func (c *Console) metricsPage(w http.ResponseWriter, r *request) {
	var pts []metricsample.Point
	interval := time.Duration(0)
	if c.svc.Metrics != nil {
		pts, interval = c.svc.Metrics.Points(r.app.Name), c.svc.Metrics.Interval()
	}
	charts := charts(pts)
	views := make([]chartView, 0, len(charts))
	for _, ch := range charts {
		views = append(views, chartView{chart: ch, SVG: ch.svg()})
	}
	refresh := int(max(interval, time.Second).Seconds())
	c.render(w, r.Request, http.StatusOK, "metrics", c.page(w, r, "Metrics of "+r.app.Name, "metrics", map[string]any{
		"Charts": views, "Enabled": c.svc.Metrics != nil, "Points": len(pts), "Interval": interval, "Refresh": refresh}))
}

// charts turns points into the four charts of the metrics page.
func charts(pts []metricsample.Point) []chart {
	times := make([]time.Time, len(pts))
	rps, errs, p50, p95, inst := make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		times[i] = p.Time
		rps[i], errs[i] = p.RPS, p.ErrorRate
		p50[i], p95[i] = ms(p.P50), ms(p.P95)
		inst[i] = float64(max(p.Instances, 0))
	}
	return []chart{
		{Title: "Requests", Unit: "req/s", Times: times, Lines: []series{{Name: "requests", Class: "s1", Values: rps}}},
		{Title: "Latency", Unit: "ms", Times: times, Lines: []series{{Name: "p50", Class: "s1", Values: p50}, {Name: "p95", Class: "s2", Values: p95}}},
		{Title: "Errors", Unit: "5xx/s", Times: times, Lines: []series{{Name: "5xx answers", Class: "s3", Values: errs}}},
		{Title: "Instances", Unit: "", Times: times, Lines: []series{{Name: "web instances", Class: "s1", Values: inst}}},
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
