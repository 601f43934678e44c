package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// series is one line of a chart.
type series struct {
	Name string
	// Class picks its colour in the style sheet.
	Class  string
	Values []float64
}

// chart is a line chart over time, drawn as SVG on the server so that it
// needs neither a script nor anything from another site.
type chart struct {
	Title string
	Unit  string
	Times []time.Time
	Lines []series
}

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	chartW, chartH         = 640, 200
	padLeft, padRight      = 56, 12
	padTop, padBottom      = 12, 28
	plotW, plotH           = chartW - padLeft - padRight, chartH - padTop - padBottom
	gridLines              = 4
	minPointsForLine       = 2
	chartNumberFormat      = "%.3g"
	chartEmptyExplanation  = "No traffic samples yet."
	chartSamplesNeededNote = "Points appear once the router has been scraped twice."
)

// svg draws the chart. Every string that reaches the SVG is escaped.
func (c chart) svg() template.HTML {
	var b strings.Builder
	id := "chart-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(c.Title))
	fmt.Fprintf(&b, `<svg id="%s" class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t" data-peak="%s">`, esc(id), chartW, chartH, esc(id), esc(fmtNum(c.peak())))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, esc(id), esc(c.describe()))
	top := c.top()
	for i := 0; i <= gridLines; i++ {
		y := padTop + plotH - float64(i)*plotH/gridLines
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padLeft, chartW-padRight, y, y)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, padLeft-6, y+4, esc(fmtNum(top*float64(i)/gridLines)))
	}
	if len(c.Times) >= minPointsForLine {
		first, last := c.Times[0], c.Times[len(c.Times)-1]
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%d">%s</text>`, padLeft, chartH-8, esc(first.UTC().Format("15:04:05")))
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%d" text-anchor="end">%s UTC</text>`, chartW-padRight, chartH-8, esc(last.UTC().Format("15:04:05")))
		for _, s := range c.Lines {
			fmt.Fprintf(&b, `<polyline class="line %s" points="%s"/>`, esc(s.Class), c.points(s.Values, top))
		}
	} else {
		fmt.Fprintf(&b, `<text class="empty" x="%d" y="%d" text-anchor="middle">%s</text>`, chartW/2, chartH/2, esc(chartEmptyExplanation))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// peak is the largest value drawn.
func (c chart) peak() float64 {
	hi := 0.0
	for _, s := range c.Lines {
		for _, v := range s.Values {
			hi = max(hi, v)
		}
	}
	return hi
}

// top is the value at the top of the plot: the largest value rounded up
// to a readable number, at least 1.
func (c chart) top() float64 {
	hi := c.peak()
	if hi <= 0 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(hi)))
	for _, step := range []float64{1, 2, 2.5, 5, 10} {
		if hi <= step*mag {
			return step * mag
		}
	}
	return 10 * mag
}

func (c chart) points(values []float64, top float64) string {
	n := len(c.Times)
	start, span := c.Times[0], c.Times[n-1].Sub(c.Times[0]).Seconds()
	var b strings.Builder
	for i, v := range values {
		x := padLeft + float64(plotW)*float64(i)/float64(n-1)
		if span > 0 {
			x = padLeft + float64(plotW)*c.Times[i].Sub(start).Seconds()/span
		}
		y := padTop + plotH - plotH*min(v, top)/top
		fmt.Fprintf(&b, "%.1f,%.1f ", x, y)
	}
	return strings.TrimSpace(b.String())
}

// describe is the chart's text for screen readers: the latest values.
func (c chart) describe() string {
	if len(c.Times) == 0 {
		return c.Title + ": " + chartEmptyExplanation
	}
	parts := make([]string, 0, len(c.Lines))
	for _, s := range c.Lines {
		parts = append(parts, fmt.Sprintf("%s %s %s", s.Name, fmtNum(s.Values[len(s.Values)-1]), c.Unit))
	}
	return fmt.Sprintf("%s over the last %s; now %s", c.Title, c.Times[len(c.Times)-1].Sub(c.Times[0]).Round(time.Second), strings.Join(parts, ", "))
}

// legendItem names a line and its latest value.
type legendItem struct {
	Name, Class, Value string
}

// Legend lists the lines with their latest values.
func (c chart) Legend() []legendItem {
	out := make([]legendItem, 0, len(c.Lines))
	for _, s := range c.Lines {
		v := "no data"
		if len(s.Values) > 0 {
			v = strings.TrimSpace(fmtNum(s.Values[len(s.Values)-1]) + " " + c.Unit)
		}
		out = append(out, legendItem{Name: s.Name, Class: s.Class, Value: v})
	}
	return out
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e6 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf(chartNumberFormat, v)
}

func esc(s string) string { return html.EscapeString(s) }
