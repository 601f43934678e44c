package router

import (
	"log/slog"
	"net/http"
	"time"
)

// statusClientClosed is the status logged for a request whose client hung
// up before any response was written, as nginx does.
const statusClientClosed = 499

// maxLoggedPath bounds the path in a log line; the client chose it.
const maxLoggedPath = 1024

// responseRecorder remembers the status and counts the body bytes written
// through it, for the access log and the metrics. Unwrap lets
// http.ResponseController reach the real writer, so flushing and protocol
// upgrades still work through it.
type responseRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// WriteHeader records the first final status, or a 101 that switches
// protocols.
func (rec *responseRecorder) WriteHeader(code int) {
	if rec.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and counts the bytes.
func (rec *responseRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap returns the wrapped writer for http.ResponseController.
func (rec *responseRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// statusOf returns the status the client got: 499 when it hung up before
// anything was written, and the server's implicit 200 when the handler
// wrote nothing to a client still there.
func statusOf(req *http.Request, rec *responseRecorder) int {
	switch {
	case rec.status != 0:
		return rec.status
	case req.Context().Err() != nil:
		return statusClientClosed
	default:
		return http.StatusOK
	}
}

// logAccess writes one line per request: at Info when the access log is
// on, else at Debug. The path is logged without its query string, which
// may hold secrets; the Host header is clipped, since the client chose it.
func (r *Router) logAccess(req *http.Request, ex *exchange, status int, d time.Duration) {
	level := slog.LevelDebug
	if r.opts.AccessLog {
		level = slog.LevelInfo
	}
	if !r.logger.Enabled(req.Context(), level) {
		return
	}
	release, upstream, alloc := 0, "", ""
	if t := ex.target; t != nil {
		release, upstream, alloc = t.inst.Release, t.inst.Addr, t.inst.AllocID
	}
	attrs := []slog.Attr{
		slog.String("app", ex.app),
		slog.Int("release", release),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("request_id", ex.requestID),
		slog.String("method", req.Method),
		slog.String("path", clipTo(req.URL.Path, maxLoggedPath)),
		slog.Int64("bytes", ex.rec.bytes),
		slog.String("upstream", upstream),
		slog.String("alloc", alloc),
		slog.String("host", clip(req.Host)),
	}
	if ex.err != nil {
		attrs = append(attrs, slog.Any("error", ex.err))
	}
	r.logger.LogAttrs(req.Context(), level, "request", attrs...)
}
