package router

import (
	"log/slog"
	"net/http"
	"time"
)

// statusRecorder remembers the status written through it for the request
// log. Unwrap lets http.ResponseController reach the real writer, so
// flushing and protocol upgrades still work through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
	start  time.Time
}

func newStatusRecorder(w http.ResponseWriter) *statusRecorder {
	return &statusRecorder{ResponseWriter: w, start: time.Now()}
}

// WriteHeader records the first final (non-1xx) status.
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer for http.ResponseController.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequest writes one Debug line per request. The Host header is quoted
// by the handler and clipped, since the client chose it.
func (r *Router) logRequest(req *http.Request, ex *exchange, rec *statusRecorder) {
	attrs := []slog.Attr{
		slog.String("request_id", ex.requestID),
		slog.String("method", req.Method),
		slog.String("host", clip(req.Host)),
		slog.String("path", clip(req.URL.Path)),
		slog.Int("status", rec.status),
		slog.Duration("duration", time.Since(rec.start)),
	}
	if ex.app != "" {
		attrs = append(attrs, slog.String("app", ex.app))
	}
	if t := ex.target; t != nil {
		attrs = append(attrs, slog.Int("release", t.inst.Release), slog.String("addr", t.inst.Addr), slog.String("alloc", t.inst.AllocID))
	}
	if ex.err != nil {
		attrs = append(attrs, slog.Any("error", ex.err))
	}
	r.logger.LogAttrs(req.Context(), slog.LevelDebug, "request", attrs...)
}
