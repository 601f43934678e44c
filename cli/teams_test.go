package cli

import (
	"strings"
	"testing"
)

func TestTeamsCommands(t *testing.T) {
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	h.api.AddUser("dale", "dale's long password", false)
	wantContains(t, "create", h.mustRun("teams:create", "backend").stdout, "Created team backend")
	wantContains(t, "add", h.mustRun("teams:add", "backend", "dale").stdout, "dale is now a member of team backend")
	wantContains(t, "teams", h.mustRun("teams").stdout, "NAME", "MEMBERS", "backend", "1")
	wantContains(t, "members", h.mustRun("teams:members", "backend").stdout, "USER", "dale")

	wantContains(t, "access:add", h.mustRun("access:add", "--team", "backend", "--role", "deployer", "-a", "hello").stdout,
		"team backend is now a deployer of hello")
	out := h.mustRun("access", "-a", "hello").stdout
	wantContains(t, "access", out, "admin", "owner", "backend (team)", "deployer")
	if strings.Index(out, "owner") > strings.Index(out, "deployer") {
		t.Errorf("owners should come first:\n%s", out)
	}
	wantContains(t, "access:remove", h.mustRun("access:remove", "--team", "backend", "-a", "hello").stdout,
		"team backend no longer has access to hello")
	wantContains(t, "remove", h.mustRun("teams:remove", "backend", "dale").stdout, "dale is no longer a member of team backend")
	wantContains(t, "destroy", h.mustRun("teams:destroy", "backend", "--confirm", "backend").stdout, "Deleted team backend")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"teams:create", "Back_end"}, `team name "Back_end" must start with a lower-case letter`},
		{[]string{"teams:add", "backend"}, "missing USER"},
		{[]string{"teams:add", "nope", "dale"}, `team "nope" not found`},
		{[]string{"teams:destroy", "ops", "--confirm", "opz"}, `confirmation "opz" did not match "ops"`},
		{[]string{"access:add", "--role", "viewer", "-a", "hello"}, "missing USER (or --team TEAM)"},
		{[]string{"access:add", "dale", "--team", "backend", "--role", "viewer", "-a", "hello"}, "not both"},
		{[]string{"access:add", "--team", "nope", "--role", "viewer", "-a", "hello"}, `team "nope" not found`},
		{[]string{"access:remove", "--team", "backend", "-a", "hello"}, "has no access"},
	} {
		wantError(t, h.run("", c.args...).stderr, c.want)
	}
}
