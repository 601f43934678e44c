package router

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// accessLines returns the request lines of a JSON log.
func accessLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(log) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, line)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	return lines
}

func TestAccessLog(t *testing.T) {
	b := newBackend(t, "b", nil)
	tests := []struct {
		name      string
		accessLog bool
		level     slog.Level
		wantLines int
	}{
		{"on", true, slog.LevelInfo, 1},
		{"off", false, slog.LevelInfo, 0},
		{"off but debugging", false, slog.LevelDebug, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs logBuffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: tc.level}))
			r := New(Options{HealthInterval: 10 * time.Millisecond, AccessLog: tc.accessLog}, logger)
			t.Cleanup(r.Close)
			r.Update([]paas.Instance{b.instance("hello")})
			waitHealthy(t, r, b)
			front := newFrontend(t, r)

			front.do(t, http.MethodGet, "hello.localhost", "/orders/7?token=s3cr3t&page=2", header("X-Request-Id", "req-1"), nil)
			// The edge logs once the response is out: the line may come
			// just after the client has it.
			lines := accessLines(t, logs.String())
			for deadline := time.Now().Add(2 * time.Second); len(lines) < tc.wantLines && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
				lines = accessLines(t, logs.String())
			}
			if len(lines) != tc.wantLines {
				t.Fatalf("%d request lines, want %d:\n%s", len(lines), tc.wantLines, logs.String())
			}
			if strings.Contains(logs.String(), "s3cr3t") {
				t.Errorf("the query string reached the log:\n%s", logs.String())
			}
			if tc.wantLines == 0 {
				return
			}
			want := map[string]any{
				"app": "hello", "release": 1.0, "status": 200.0, "request_id": "req-1", "method": "GET",
				"path": "/orders/7", "bytes": 1.0, "upstream": b.addr(), "alloc": "b", "host": "hello.localhost",
			}
			got := lines[0]
			if d, ok := got["duration_ms"].(float64); !ok || d <= 0 {
				t.Errorf("duration_ms = %v, want a positive number", got["duration_ms"])
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreMapEntries(func(k string, _ any) bool {
				return k == "time" || k == "level" || k == "msg" || k == "duration_ms"
			})); diff != "" {
				t.Errorf("access log line (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccessLogOfRouterAnswers(t *testing.T) {
	var logs logBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	r := New(Options{AccessLog: true}, logger)
	t.Cleanup(r.Close)
	front := newFrontend(t, r)

	front.get(t, "nope.localhost")
	lines := accessLines(t, logs.String())
	if len(lines) != 1 {
		t.Fatalf("%d request lines, want 1:\n%s", len(lines), logs.String())
	}
	want := map[string]any{"app": "", "release": 0.0, "status": 404.0, "upstream": "", "level": "INFO"}
	if diff := cmp.Diff(want, pickAny(lines[0], "app", "release", "status", "upstream", "level")); diff != "" {
		t.Errorf("404 line (-want +got):\n%s", diff)
	}
}

func pickAny(m map[string]any, keys ...string) map[string]any {
	got := map[string]any{}
	for _, k := range keys {
		got[k] = m[k]
	}
	return got
}
