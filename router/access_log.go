package router

import (
	"context"
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
// on, else at Debug.
func (r *Router) logAccess(req *http.Request, ex *exchange, status int, d time.Duration) {
	level, ok := r.accessLevel(req.Context())
	if !ok {
		return
	}
	r.writeAccess(req.Context(), level, accessRecord{
		app: ex.app, requestID: ex.requestID, target: ex.target, err: ex.err,
		method: req.Method, path: req.URL.Path, host: req.Host,
		status: status, bytes: ex.rec.bytes, duration: d,
	})
}

// accessRecord is what the access log says of one request.
type accessRecord struct {
	app, requestID     string
	target             *target // nil: it reached no instance
	err                error
	method, path, host string
	status             int
	bytes              int64 // of the response body
	duration           time.Duration
}

// accessLevel returns the level of access lines, and whether the logger
// writes them at all.
func (r *Router) accessLevel(ctx context.Context) (slog.Level, bool) {
	level := slog.LevelDebug
	if r.opts.AccessLog {
		level = slog.LevelInfo
	}
	return level, r.logger.Enabled(ctx, level)
}

// writeAccess writes rec's line. The path is logged without its query
// string, which may hold secrets; the Host header is clipped, since the
// client chose it.
func (r *Router) writeAccess(ctx context.Context, level slog.Level, rec accessRecord) {
	release, upstream, alloc := 0, "", ""
	if t := rec.target; t != nil {
		release, upstream, alloc = t.inst.Release, t.inst.Addr, t.inst.AllocID
	}
	attrs := []slog.Attr{
		slog.String("app", rec.app),
		slog.Int("release", release),
		slog.Int("status", rec.status),
		slog.Float64("duration_ms", float64(rec.duration.Microseconds())/1000),
		slog.String("request_id", rec.requestID),
		slog.String("method", rec.method),
		slog.String("path", clipTo(rec.path, maxLoggedPath)),
		slog.Int64("bytes", rec.bytes),
		slog.String("upstream", upstream),
		slog.String("alloc", alloc),
		slog.String("host", clip(rec.host)),
	}
	if rec.err != nil {
		attrs = append(attrs, slog.Any("error", rec.err))
	}
	r.logger.LogAttrs(ctx, level, "request", attrs...)
}
