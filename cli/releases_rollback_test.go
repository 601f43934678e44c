package cli

import (
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// rollbackHarness has releases v1 (GREETING=hi), v2 (failed) and v3
// (config change, GREETING=hello), v3 current.
func rollbackHarness(t *testing.T) *harness {
	t.Helper()
	h := releasedHarness(t)
	h.api.AddRelease("hello", paas.Release{Version: 2, Image: "paas/hello:2", Status: paas.ReleaseFailed, CreatedAt: testNow.Add(-time.Minute)})
	h.mustRun("config:set", "-a", "hello", "GREETING=hello")
	return h
}

func TestReleasesRollback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantBody string
		wantErr  string
	}{
		{name: "v prefix", args: []string{"v1"}, wantOut: "Rolling back hello to v1... done, v4\n", wantBody: `{"version":1}`},
		{name: "bare number", args: []string{"3"}, wantOut: "Rolling back hello to v3... done, v4\n", wantBody: `{"version":3}`},
		{name: "capital V", args: []string{"V1"}, wantOut: "Rolling back hello to v1... done, v4\n", wantBody: `{"version":1}`},
		{name: "previous by default", wantOut: "Rolling back hello... done, v4 (Rollback to v1)\n", wantBody: ""},
		{name: "failed release", args: []string{"v2"}, wantCode: ExitError, wantOut: "Rolling back hello to v2... failed\n", wantErr: "v2 never ran (it failed)"},
		{name: "unknown release", args: []string{"v9"}, wantCode: ExitError, wantErr: `release "9" of app "hello" not found`},
		{name: "word", args: []string{"latest"}, wantCode: ExitUsage, wantErr: `release version "latest" is not a version such as v3`},
		{name: "zero", args: []string{"v0"}, wantCode: ExitUsage, wantErr: `release version "v0" is not a version such as v3`},
		{name: "negative", args: []string{"--", "-1"}, wantCode: ExitUsage, wantErr: `release version "-1" is not a version such as v3`},
		{name: "v alone", args: []string{"v"}, wantCode: ExitUsage, wantErr: `release version "v" is not a version`},
		{name: "suffix", args: []string{"v3x"}, wantCode: ExitUsage, wantErr: `release version "v3x" is not a version`},
		{name: "two versions", args: []string{"v1", "v3"}, wantCode: ExitUsage, wantErr: `unexpected argument "v3"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := rollbackHarness(t)
			r := h.run("", append([]string{"releases:rollback", "-a", "hello"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if tt.wantOut != "" && r.stdout != tt.wantOut {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.wantOut)
			}
			body, sent := h.lastBody("POST", "/v1/apps/hello/rollback")
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				if tt.wantCode == ExitUsage && sent {
					t.Error("a usage error reached the API")
				}
				return
			}
			if body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
		})
	}
}

// TestRollbackRestoresConfig checks what a rollback means for the user:
// the config vars of the target come back.
func TestRollbackRestoresConfig(t *testing.T) {
	t.Parallel()
	h := rollbackHarness(t)
	h.mustRun("releases:rollback", "-a", "hello")
	if r := h.mustRun("config:get", "-a", "hello", "GREETING"); r.stdout != "hi\n" {
		t.Errorf("GREETING after rollback = %q, want hi", r.stdout)
	}
	r := h.mustRun("releases:info", "-a", "hello")
	wantContains(t, "releases:info", r.stdout, "=== Release v4 of hello\n", "Reason:       rollback\n", "Description:  Rollback to v1\n")
}
