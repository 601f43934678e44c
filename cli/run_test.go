package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestExitCodesAndErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{name: "unknown command", args: []string{"appz"}, wantCode: ExitUsage, wantErr: `"appz" is not a paas command; did you mean apps?`},
		{name: "unknown flag", args: []string{"apps", "--bogus"}, wantCode: ExitUsage, wantErr: "unknown flag: --bogus"},
		{name: "flag without value", args: []string{"apps:info", "-a"}, wantCode: ExitUsage, wantErr: "flag needs an argument"},
		{name: "bad num", args: []string{"releases", "-a", "x", "--num", "0"}, wantCode: ExitUsage, wantErr: "--num must be at least 1"},
		{name: "num not a number", args: []string{"builds", "-a", "x", "--num", "many"}, wantCode: ExitUsage, wantErr: `invalid argument "many"`},
		{name: "stray argument", args: []string{"apps", "extra"}, wantCode: ExitUsage, wantErr: `unexpected argument "extra"`},
		{name: "server 404", args: []string{"apps:info", "-a", "nope"}, wantCode: ExitError, wantErr: `app "nope" not found; list your apps with: paas apps`},
		{name: "dash name read as a flag", args: []string{"apps:create", "-x-"}, wantCode: ExitUsage, wantErr: "unknown shorthand flag"},
		{name: "server 422 name", args: []string{"apps:create", "--", "-x-"}, wantCode: ExitError, wantErr: `app name "-x-" must start with a lower-case letter`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run("", tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			wantError(t, r.stderr, tt.wantErr)
			if tt.wantCode == ExitUsage {
				wantContains(t, "stderr", r.stderr, " !    See: paas")
			}
		})
	}
}

func TestUnreachableAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.vars["PAAS_API_URL"] = "http://127.0.0.1:1"
	h.vars["PAAS_TOKEN"] = testToken
	r := h.run("", "apps")
	if r.code != ExitError {
		t.Fatalf("exit %d: %s", r.code, r.output())
	}
	wantError(t, r.stderr, "cannot reach the API at http://127.0.0.1:1")
	wantError(t, r.stderr, "is paasd running there? set the address with: paas login --api URL (or PAAS_API_URL)")
}

func TestHelp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, args := range [][]string{nil, {"--help"}, {"help", "apps:create"}, {"apps:destroy", "-h"}} {
		r := h.run("", args...)
		if r.code != ExitOK || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("paas %s: exit %d, stdout:\n%s", strings.Join(args, " "), r.code, r.stdout)
		}
	}
}

func TestRunVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"version"}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitOK || !strings.HasPrefix(stdout.String(), "paas-cli/dev go") || stderr.Len() != 0 {
		t.Errorf("Run(version) = %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	for _, req := range h.api.Requests() {
		if req.UserAgent != "paas-cli/dev" {
			t.Errorf("%s %s sent User-Agent %q, want paas-cli/dev", req.Method, req.Path, req.UserAgent)
		}
	}
}
