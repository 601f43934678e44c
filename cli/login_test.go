package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogin(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string // added to the harness's environment
		stdin   string
		args    []string
		useAPI  bool // pass --api with the fake's URL
		wantOut string
		wantErr string
		wantIn  string // what stderr must show, such as the prompt
	}{
		{name: "token flag", args: []string{"--token", testToken}, wantOut: "Logged in as admin\n"},
		{name: "token from env", vars: map[string]string{"PAAS_TOKEN": testToken}, wantOut: "Logged in as admin\n"},
		{name: "token asked for", stdin: testToken + "\n", wantOut: "Logged in as admin\n", wantIn: "Token: "},
		{name: "token asked for, no newline", stdin: "  " + testToken, wantOut: "Logged in as admin\n"},
		{
			name: "api flag wins over env", args: []string{"--token", testToken}, useAPI: true,
			vars: map[string]string{"PAAS_API_URL": "http://127.0.0.1:1"}, wantOut: "Logged in as admin\n",
		},
		{name: "no token typed", stdin: "\n", wantErr: "no token given; pass --token TOKEN"},
		{name: "stdin closed", wantErr: "no token given"},
		{name: "wrong token", args: []string{"--token", "wrong"}, wantErr: "rejected this token; check it and try again"},
		{name: "bad api url", args: []string{"--token", testToken, "--api", "localhost:5050"}, wantErr: `API address "localhost:5050" is not an http(s) URL`},
		{name: "unreachable api", args: []string{"--token", testToken, "--api", "http://127.0.0.1:1"}, wantErr: "cannot reach the API at http://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			for k, v := range tt.vars {
				h.vars[k] = v
			}
			args := append([]string{"login"}, tt.args...)
			if tt.useAPI {
				args = append(args, "--api", h.api.URL)
			}
			r := h.run(tt.stdin, args...)
			if strings.Contains(r.output(), testToken) {
				t.Errorf("output shows the token:\n%s", r.output())
			}
			wantContains(t, "stderr", r.stderr, tt.wantIn)
			if tt.wantErr != "" {
				if r.code != ExitError {
					t.Errorf("exit %d, want %d", r.code, ExitError)
				}
				wantError(t, r.stderr, tt.wantErr)
				if _, err := os.Stat(h.netrcPath()); err == nil {
					t.Error("a failed login wrote ~/.netrc")
				}
				return
			}
			if r.code != ExitOK || r.stdout != tt.wantOut {
				t.Fatalf("exit %d, stdout %q, want 0 and %q; stderr: %s", r.code, r.stdout, tt.wantOut, r.stderr)
			}
			checkSavedLogin(t, h)
		})
	}
}

// checkSavedLogin checks the netrc entry and the saved config after a
// successful login.
func checkSavedLogin(t *testing.T, h *harness) {
	t.Helper()
	want := "machine 127.0.0.1\n  login admin\n  password " + testToken + "\n"
	if got := h.readNetrc(); got != want {
		t.Errorf("~/.netrc = %q, want %q", got, want)
	}
	wantMode(t, h.netrcPath(), 0o600)
	cfgPath := filepath.Join(h.home, "xdg", "paas", "config.json")
	wantMode(t, cfgPath, 0o600)
	wantMode(t, filepath.Dir(cfgPath), 0o700|os.ModeDir)
	var cfg config
	b, _ := os.ReadFile(cfgPath)
	if err := json.Unmarshal(b, &cfg); err != nil || cfg.APIURL != h.api.URL {
		t.Errorf("config = %s (%v), want api_url %s", b, err, h.api.URL)
	}
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode(); got != want {
		t.Errorf("%s mode = %v, want %v", filepath.Base(path), got, want)
	}
}

func TestLoginKeepsOtherNetrcEntries(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const others = "# my machines\nmachine github.com\n  login me\n  password ghp_x\n"
	const after = "\nmachine example.org login x password \"y z\"\n"
	h.writeNetrc(others + "machine 127.0.0.1 login olduser password oldtoken" + after)
	if err := os.Chmod(h.netrcPath(), 0o644); err != nil {
		t.Fatal(err)
	}

	h.login()
	want := others + "machine 127.0.0.1\n  login admin\n  password " + testToken + after
	if got := h.readNetrc(); got != want {
		t.Errorf("after login ~/.netrc = %q\nwant %q", got, want)
	}
	wantMode(t, h.netrcPath(), 0o600)

	h.login()
	if got := h.readNetrc(); got != want {
		t.Errorf("after a second login ~/.netrc = %q\nwant %q", got, want)
	}

	r := h.mustRun("logout")
	wantContains(t, "stdout", r.stdout, "Logged out of 127.0.0.1")
	if got, want := h.readNetrc(), others+strings.TrimPrefix(after, "\n"); got != want {
		t.Errorf("after logout ~/.netrc = %q\nwant %q", got, want)
	}
	r = h.mustRun("logout")
	wantContains(t, "stdout", r.stdout, "Not logged in to 127.0.0.1")
}

func TestLoginUsesSavedAPIURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("login", "--token", testToken, "--api", h.api.URL+"/")
	delete(h.vars, "PAAS_API_URL")
	r := h.mustRun("auth:whoami")
	if r.stdout != "admin\n" {
		t.Errorf("auth:whoami = %q, want admin", r.stdout)
	}
}

func TestCredentials(t *testing.T) {
	tests := []struct {
		name    string
		netrc   string
		vars    map[string]string
		wantErr string // empty: the command succeeds
	}{
		{name: "netrc entry", netrc: "machine 127.0.0.1 login admin password " + testToken},
		{name: "machine is case-insensitive", netrc: "machine 127.0.0.1 password " + testToken},
		{name: "env wins over netrc", netrc: "machine 127.0.0.1 password stale", vars: map[string]string{"PAAS_TOKEN": testToken}},
		{name: "no netrc", wantErr: "not logged in; run: paas login"},
		{name: "other hosts only", netrc: "machine example.org password x\ndefault password " + testToken, wantErr: "not logged in; run: paas login"},
		{name: "rejected token", netrc: "machine 127.0.0.1 password stale", wantErr: "your token was rejected; run: paas login"},
		{name: "broken netrc", netrc: "machine 127.0.0.1 password \"open", wantErr: ".netrc: line 1: quoted string is not terminated"},
		{name: "no home", vars: map[string]string{"HOME": ""}, wantErr: "cannot find your home directory; set HOME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if tt.netrc != "" {
				h.writeNetrc(tt.netrc)
			}
			for k, v := range tt.vars {
				h.vars[k] = v
			}
			r := h.run("", "apps")
			if tt.wantErr == "" {
				if r.code != ExitOK {
					t.Fatalf("exit %d: %s", r.code, r.stderr)
				}
				return
			}
			if r.code != ExitError {
				t.Errorf("exit %d, want %d", r.code, ExitError)
			}
			wantError(t, r.stderr, tt.wantErr)
		})
	}
}

// TestTokenNeverPrinted runs commands that succeed and fail, verbosely, and
// checks that the token shows up nowhere.
func TestTokenNeverPrinted(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	runs := [][]string{
		{"--verbose", "apps"},
		{"--verbose", "apps:info", "-a", "hello"},
		{"--verbose", "apps:info", "-a", "nope"},
		{"--verbose", "auth:whoami", "--json"},
		{"--verbose", "login", "--token", testToken},
	}
	for _, args := range runs {
		r := h.run("", args...)
		if strings.Contains(r.output(), testToken) {
			t.Errorf("paas %s shows the token:\n%s", strings.Join(args, " "), r.output())
		}
		if !strings.Contains(r.stderr, "api request") {
			t.Errorf("paas %s: --verbose logged no request:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
	h.vars["PAAS_TOKEN"] = "wrong-" + testToken
	if r := h.run("", "--verbose", "apps"); strings.Contains(r.output(), testToken) {
		t.Errorf("a rejected token is shown:\n%s", r.output())
	}
}

func TestWhoamiJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	r := h.mustRun("auth:whoami", "--json")
	var u struct {
		Name  string `json:"name"`
		Admin bool   `json:"admin"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &u); err != nil || u.Name != "admin" || !u.Admin {
		t.Errorf("auth:whoami --json = %s (%v)", r.stdout, err)
	}
}
