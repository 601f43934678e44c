package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gitpaas/paas/router"
)

// wakeTimeout bounds one wake call to paasd.
const wakeTimeout = 5 * time.Second

// httpWaker asks paasd to start an app that scaled to zero:
// POST <base>/internal/apps/<app>/wake answers 202 when it does.
type httpWaker struct {
	base   string
	client *http.Client
}

var _ router.Waker = (*httpWaker)(nil)

func newWaker(base string) (*httpWaker, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("wake URL %q is not an http(s) URL such as http://127.0.0.1:5050", base)
	}
	return &httpWaker{base: strings.TrimSuffix(base, "/"), client: &http.Client{Timeout: wakeTimeout}}, nil
}

// Wake reports whether paasd is starting app.
func (w *httpWaker) Wake(ctx context.Context, app string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.base+"/internal/apps/"+url.PathEscape(app)+"/wake", nil)
	if err != nil {
		return false, err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return false, fmt.Errorf("wake %s: %w", app, err)
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusAccepted:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("wake %s: paasd answered %s", app, resp.Status)
}
