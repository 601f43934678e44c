package cli

import (
	"strings"
	"testing"
)

// TestAddonsRefusedBeforeTheAPI checks the mistakes the CLI catches
// itself: nothing of them reaches the API.
func TestAddonsRefusedBeforeTheAPI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no type", "", []string{"addons:create", "-a", "hello"}, ExitUsage, "missing add-on type"},
		{"--as with _URL", "", []string{"addons:create", "postgres", "-a", "hello", "--as", "ANALYTICS_URL"}, ExitUsage, "--as takes the name without _URL, e.g. --as ANALYTICS"},
		{"--as lower case", "", []string{"addons:attach", "db", "-a", "hello", "--as", "analytics"}, ExitUsage, `attachment name "analytics" is not valid`},
		{"bad backup ID", "", []string{"pg:backups:restore", "last", "-a", "hello"}, ExitUsage, `backup ID "last" is not valid`},
		{"destroy without confirmation", "", []string{"addons:destroy", "hello-postgres", "-a", "hello"}, ExitError, "no confirmation given; nothing was destroyed"},
		{"destroy with the wrong name", "hello-redis\n", []string{"addons:destroy", "hello-postgres", "-a", "hello"}, ExitError, `confirmation "hello-redis" did not match "hello-postgres"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := releasedHarness(t)
			before := len(h.api.Requests())
			r := h.run(tt.stdin, tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			wantError(t, r.stderr, tt.wantErr)
			for _, req := range h.api.Requests()[before:] {
				if strings.Contains(req.Path, "addons") || strings.Contains(req.Path, "attachments") {
					t.Errorf("%s %s reached the API", req.Method, req.Path)
				}
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1234567: "1.2 MB", 5e9: "5.0 GB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
