package router

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// drainPoll is how often Drain looks at the requests in flight.
const drainPoll = 10 * time.Millisecond

// NewServer returns the http.Server for the router's edge listener, serving
// h (the router itself when h is nil) with the limits of the router's
// Options: MaxHeaderBytes (431 past it), ReadHeaderTimeout against clients
// that trickle their headers, and IdleTimeout for keep-alive connections.
//
// It sets neither ReadTimeout nor WriteTimeout: they would bound a whole
// upload or a whole response, and so cut long downloads, event streams and
// websockets. Request bodies are bounded per read by BodyReadTimeout
// instead. Go's server itself rejects malformed framing: differing
// Content-Length headers, invalid ones, and any Transfer-Encoding other
// than a single chunked.
func (r *Router) NewServer(h http.Handler) *http.Server {
	if h == nil {
		h = r
	}
	return &http.Server{
		Handler:           h,
		MaxHeaderBytes:    r.opts.MaxHeaderBytes,
		ReadHeaderTimeout: r.opts.ReadHeaderTimeout,
		IdleTimeout:       r.opts.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(r.logger.Handler(), slog.LevelWarn),
	}
}

// Drain waits until no request is in flight through the router, proxied
// websocket connections included, or until ctx is done. Call it after
// http.Server.Shutdown, which does not wait for hijacked connections.
func (r *Router) Drain(ctx context.Context) error {
	ticker := time.NewTicker(drainPoll)
	defer ticker.Stop()
	for r.active.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
	return nil
}
