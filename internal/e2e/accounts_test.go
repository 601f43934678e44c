package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gitpaas/paas"
)

// as returns the stack seen by another person: the same platform, their
// own home, ~/.netrc and CLI config.
func (s *stack) as(t *testing.T) *stack {
	other := *s
	other.home = t.TempDir()
	return &other
}

// TestAccounts walks a second user through passwords, roles, scoped tokens
// and the audit log, with the real CLI and git.
func TestAccounts(t *testing.T) {
	s := newTestStack(t)
	login(t, s)
	dir := newApp(t, s, "accounts")
	s.mustPaas(dir, "apps:create", "acct")
	paasBin := filepath.Join(binDir, "paas")

	if out, err := s.run("", "dev's long password\n", paasBin, "users:create", "dev", "--password-stdin"); err != nil || !strings.Contains(out, "Created user dev") {
		t.Fatalf("users:create: %v\n%s", err, out)
	}
	dev := s.as(t)
	if out, err := dev.run("", "wrong password\n", paasBin, "login", "--api", s.apiURL(), "--username", "dev"); err == nil || !strings.Contains(out, "wrong user name or password") {
		t.Fatalf("login with a wrong password: %v\n%s", err, out)
	}
	if out, err := dev.run("", "dev's long password\n", paasBin, "login", "--api", s.apiURL(), "--username", "dev"); err != nil || !strings.Contains(out, "Logged in as dev") {
		t.Fatalf("login --username: %v\n%s", err, out)
	}
	var apps []paas.App
	decode(t, dev.mustPaas("", "apps", "--json"), &apps)
	if len(apps) != 0 {
		t.Errorf("dev sees apps before having any role: %+v", apps)
	}
	if out, err := dev.paas("", "apps:info", "-a", "acct"); err == nil || !strings.Contains(out, `app "acct" not found`) {
		t.Errorf("apps:info of another's app: %v\n%s", err, out)
	}

	s.mustPaas("", "access:add", "dev", "--role", "viewer", "-a", "acct")
	remote := s.apiURL() + "/git/acct.git"
	if out, err := dev.git(dir, "push", remote, "main"); err == nil || !strings.Contains(out, "needs the role deployer") {
		t.Errorf("viewer's push: err=%v; want a refusal naming the role:\n%s", err, out)
	}
	if out, err := dev.paas("", "config:set", "A=b", "-a", "acct"); err == nil || !strings.Contains(out, "needs the role deployer") {
		t.Errorf("viewer's config:set: %v\n%s", err, out)
	}
	dev.mustPaas("", "releases", "-a", "acct")

	s.mustPaas("", "access:add", "dev", "--role", "deployer", "-a", "acct")
	out := dev.mustPaas("", "tokens:create", "--scope", "read", "--expires", "1d", "--name", "dashboard")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	readToken := lines[len(lines)-1]
	if !strings.HasPrefix(readToken, "paas_") {
		t.Fatalf("tokens:create printed no token:\n%s", out)
	}
	ci := s.as(t)
	ci.mustPaas("", "login", "--api", s.apiURL(), "--token", readToken)
	ci.mustPaas("", "releases", "-a", "acct")
	if out, err := ci.paas("", "config:set", "A=b", "-a", "acct"); err == nil || !strings.Contains(out, "this token has scope read") {
		t.Errorf("config:set with a read token: %v\n%s", err, out)
	}
	dev.mustPaas("", "config:set", "A=b", "-a", "acct")

	var tokens []paas.Token
	decode(t, dev.mustPaas("", "tokens", "--json"), &tokens)
	var id string
	for _, tok := range tokens {
		if tok.Name == "dashboard" {
			id = strconv.FormatInt(tok.ID, 10)
		}
	}
	dev.mustPaas("", "tokens:revoke", id)
	if out, err := ci.paas("", "releases", "-a", "acct"); err == nil || !strings.Contains(out, "rejected") {
		t.Errorf("a revoked token still works: %v\n%s", err, out)
	}

	var entries []paas.AuditEntry
	decode(t, s.mustPaas("", "audit", "-a", "acct", "--json"), &entries)
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.User+" "+e.Action+" "+strconv.Itoa(e.Status)] = true
	}
	for _, want := range []string{"dev git.push 403", "dev config.set 403", "dev config.set 200", "admin access.set 200", "admin app.create 201"} {
		if !seen[want] {
			t.Errorf("audit log lacks %q: %v", want, seen)
		}
	}
	if out, err := dev.paas("", "audit", "-a", "acct"); err == nil || !strings.Contains(out, "needs the role owner") {
		t.Errorf("a deployer read the app's audit log: %v\n%s", err, out)
	}
}
