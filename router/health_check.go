package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// healthCheckUserAgent lets apps tell the router's checks from user traffic.
const healthCheckUserAgent = "paas-router/health-check"

// maxHealthBody is how much of a check's response is read so that its
// connection can be reused; the rest is dropped with the connection.
const maxHealthBody = 4 << 10

// healthCheck actively checks one target: a GET of its health path, right
// away and then every interval, until the target leaves the table. A 2xx or
// 3xx answer within the timeout passes.
type healthCheck struct {
	client   *http.Client
	target   *target
	interval time.Duration
	timeout  time.Duration
}

// run checks until the target is removed. It runs in its own goroutine.
func (hc *healthCheck) run() {
	ticker := time.NewTicker(hc.interval)
	defer ticker.Stop()
	for {
		hc.check()
		select {
		case <-hc.target.ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// check runs one check and hands its result to the target, unless the
// target was removed meanwhile.
func (hc *healthCheck) check() {
	err := hc.probe()
	switch {
	case hc.target.removed():
		return
	case err != nil:
		hc.target.checkFailed(err)
	default:
		hc.target.checkPassed()
	}
}

func (hc *healthCheck) probe() error {
	ctx, cancel := context.WithTimeout(hc.target.ctx, hc.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hc.target.healthURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", healthCheckUserAgent)
	resp, err := hc.client.Do(req)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("health check %s timed out after %s", hc.target.healthURL, hc.timeout)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxHealthBody))
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return fmt.Errorf("health check %s answered %d", hc.target.healthURL, resp.StatusCode)
	}
	return nil
}

// newHealthClient returns the client of every check: it shares the proxy's
// transport and never follows redirects, since a 3xx already passes.
func newHealthClient(transport http.RoundTripper) *http.Client {
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
