package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

func TestLoginWithPassword(t *testing.T) {
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantOut string
		wantErr string
	}{
		{name: "password on stdin", stdin: "ada's long password\n", args: []string{"--username", "ada"}, wantOut: "Logged in as ada (the token expires "},
		{name: "short flag", stdin: "ada's long password", args: []string{"-u", "ada"}, wantOut: "Logged in as ada"},
		{name: "wrong password", stdin: "nope\n", args: []string{"--username", "ada"}, wantErr: "wrong user name or password"},
		{name: "unknown user", stdin: "ada's long password\n", args: []string{"--username", "bob"}, wantErr: "wrong user name or password"},
		{name: "no password", stdin: "\n", args: []string{"--username", "ada"}, wantErr: "no password given"},
		{name: "both ways", args: []string{"--username", "ada", "--token", testToken}, wantErr: "either --username or --token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.api.AddUser("ada", "ada's long password", false)
			r := h.run(tt.stdin, append([]string{"login"}, tt.args...)...)
			if strings.Contains(r.output(), testToken) || strings.Contains(r.output(), "long password") {
				t.Errorf("output shows a secret:\n%s", r.output())
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			if r.code != ExitOK || !strings.HasPrefix(r.stdout, tt.wantOut) {
				t.Fatalf("exit %d, stdout %q; want %q; stderr %s", r.code, r.stdout, tt.wantOut, r.stderr)
			}
			want := "machine 127.0.0.1\n  login ada\n  password " + testToken + "\n"
			if got := h.readNetrc(); got != want {
				t.Errorf("~/.netrc = %q, want %q", got, want)
			}
			wantContains(t, "stderr", r.stderr, "Password: ")
			if h.mustRun("auth:whoami").stdout != "ada\n" {
				t.Error("the saved token does not work")
			}
		})
	}
}

func TestTokensCommands(t *testing.T) {
	h := newHarness(t)
	h.login()
	r := h.mustRun("tokens:create", "--scope", "deploy", "--expires", "90d", "--name", "github-actions")
	if !strings.HasPrefix(r.stdout, "paas_new_secret_") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("tokens:create stdout = %q; want the secret alone", r.stdout)
	}
	wantContains(t, "stderr", r.stderr, `"github-actions" with scope deploy`, "shown only now")
	toks := h.api.Tokens()
	if len(toks) != 1 || toks[0].Scope != paas.ScopeDeploy || toks[0].ExpiresAt.Sub(time.Now()) < 89*24*time.Hour {
		t.Fatalf("tokens = %+v", toks)
	}
	out := h.mustRun("tokens").stdout
	wantContains(t, "tokens", out, "ID", "github-actions", "deploy", "never")
	if strings.Contains(out, "secret") {
		t.Errorf("tokens shows a secret:\n%s", out)
	}
	id := toks[0].ID
	wantContains(t, "revoke", h.mustRun("tokens:revoke", strconv.FormatInt(id, 10)).stdout, "Revoked token")
	if len(h.api.Tokens()) != 0 {
		t.Error("the token was not revoked")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tokens:create"}, "missing --scope"},
		{[]string{"tokens:create", "--scope", "root"}, `scope "root" is not one of read, deploy, admin`},
		{[]string{"tokens:create", "--scope", "read", "--expires", "soon"}, `--expires "soon" is not a lifetime`},
		{[]string{"tokens:revoke", "abc"}, `token ID "abc" is not a number`},
		{[]string{"tokens:revoke", "999"}, "not found or already revoked"},
	} {
		r := h.run("", c.args...)
		if r.code == ExitOK {
			t.Errorf("paas %v succeeded", c.args)
		}
		wantError(t, r.stderr, c.want)
	}
}

func TestParseLifetime(t *testing.T) {
	for in, want := range map[string]time.Duration{"12h": 12 * time.Hour, "30d": 30 * 24 * time.Hour, "1y": 365 * 24 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := parseLifetime(in); err != nil || got != want {
			t.Errorf("parseLifetime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0d", "-1d", "d", "forever", "1.5d"} {
		if _, err := parseLifetime(in); err == nil {
			t.Errorf("parseLifetime(%q) succeeded", in)
		}
	}
}

func TestUsersCommands(t *testing.T) {
	h := newHarness(t)
	h.login()
	r := h.mustRun("users:create", "bea")
	if r.stdout != "GENERATED-PASSWORD-0001\n" {
		t.Errorf("users:create stdout = %q; want the generated password alone", r.stdout)
	}
	wantContains(t, "stderr", r.stderr, "Created user bea", "paas login --username bea", "shown only now")
	r = h.run("cy's own password\n", "users:create", "cy", "--admin", "--password-stdin")
	if r.code != ExitOK || r.stdout != "" || strings.Contains(r.output(), "own password") {
		t.Errorf("users:create --password-stdin: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	wantContains(t, "stderr", r.stderr, "Created platform admin cy")
	out := h.mustRun("users").stdout
	wantContains(t, "users", out, "NAME", "admin", "bea", "cy")
	wantError(t, h.run("", "users:create", "bea").stderr, `user "bea" already exists`)
}

func TestAccessCommands(t *testing.T) {
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	h.api.AddUser("dale", "dale's long password", false)
	wantContains(t, "add", h.mustRun("access:add", "dale", "--role", "deployer", "-a", "hello").stdout, "dale is now a deployer of hello")
	out := h.mustRun("access", "-a", "hello").stdout
	wantContains(t, "access", out, "USER", "ROLE", "admin", "owner", "dale", "deployer")
	if strings.Index(out, "owner") > strings.Index(out, "deployer") {
		t.Errorf("owners should come first:\n%s", out)
	}
	wantContains(t, "remove", h.mustRun("access:remove", "dale", "-a", "hello").stdout, "dale no longer has access to hello")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"access:add", "dale", "-a", "hello"}, "missing --role"},
		{[]string{"access:add", "dale", "--role", "admin", "-a", "hello"}, `role "admin" is not one of viewer, deployer, owner`},
		{[]string{"access:add", "nobody", "--role", "viewer", "-a", "hello"}, `user "nobody" not found`},
		{[]string{"access:remove", "dale", "-a", "hello"}, "has no access"},
		{[]string{"access", "-a", "nope"}, `app "nope" not found`},
	} {
		wantError(t, h.run("", c.args...).stderr, c.want)
	}
}

func TestAuditCommand(t *testing.T) {
	h := newHarness(t)
	h.login()
	h.api.AddAuditEntry(paas.AuditEntry{User: "admin", Action: "app.create", App: "hello", Method: "POST", Path: "/v1/apps", Status: 201, ClientIP: "192.0.2.1", CreatedAt: testNow})
	h.api.AddAuditEntry(paas.AuditEntry{Action: "login", Method: "POST", Path: "/v1/login", Status: 401, ClientIP: "192.0.2.9", CreatedAt: testNow})
	h.api.AddAuditEntry(paas.AuditEntry{User: "admin", Action: "git.push", App: "other", Status: 200, CreatedAt: testNow})
	out := h.mustRun("audit", "--num", "2").stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "git.push") || !strings.Contains(lines[2], "login") || !strings.Contains(lines[2], " - ") {
		t.Errorf("audit --num 2 =\n%s", out)
	}
	var entries []paas.AuditEntry
	if err := json.Unmarshal([]byte(h.mustRun("audit", "-a", "hello", "--json").stdout), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "app.create" || entries[0].Status != 201 {
		t.Errorf("audit -a hello --json = %+v", entries)
	}
	wantError(t, h.run("", "audit", "--num", "0").stderr, "--num 0")
}
