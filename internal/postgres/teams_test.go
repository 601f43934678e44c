package postgres_test

import (
	"context"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/postgres"
	"github.com/google/go-cmp/cmp"
)

func TestTeams(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := t.Context()
	dan := mustUser(t, db, "dan", false)
	mustUser(t, db, "eve", false)
	_, err := db.CreateTeam(ctx, "backend")
	checkCode(t, err, "")
	_, err = db.CreateTeam(ctx, "backend")
	checkCode(t, err, paas.ECONFLICT)
	_, err = db.CreateTeam(ctx, "Back_end")
	checkCode(t, err, paas.EINVALID)
	_, err = db.CreateTeam(ctx, "ops")
	checkCode(t, err, "")

	_, err = db.AddTeamMember(ctx, "backend", "dan")
	checkCode(t, err, "")
	m, err := db.AddTeamMember(ctx, "backend", "dan")
	checkCode(t, err, "")
	if m.Team != "backend" || m.User != "dan" {
		t.Errorf("AddTeamMember = %+v", m)
	}
	_, err = db.AddTeamMember(ctx, "backend", "nobody")
	checkCode(t, err, paas.ENOTFOUND)
	_, err = db.AddTeamMember(ctx, "nope", "dan")
	checkCode(t, err, paas.ENOTFOUND)

	teams, err := db.ListTeams(ctx, dan.ID)
	checkCode(t, err, "")
	if diff := cmp.Diff([]string{"backend"}, teamNames(teams)); diff != "" {
		t.Errorf("dan's teams (-want +got):\n%s", diff)
	}
	teams, err = db.ListTeams(ctx, 0)
	checkCode(t, err, "")
	if diff := cmp.Diff([]string{"backend", "ops"}, teamNames(teams)); diff != "" || teams[0].Members != 1 {
		t.Errorf("all teams %+v (-want +got):\n%s", teams, diff)
	}
	ms, err := db.ListTeamMembers(ctx, "backend")
	checkCode(t, err, "")
	if len(ms) != 1 || ms[0].User != "dan" {
		t.Errorf("members of backend = %+v", ms)
	}
	checkCode(t, db.RemoveTeamMember(ctx, "backend", "eve"), paas.ENOTFOUND)
	checkCode(t, db.DeleteTeam(ctx, "ops"), "")
	checkCode(t, db.DeleteTeam(ctx, "ops"), paas.ENOTFOUND)
}

func teamNames(teams []*paas.Team) []string {
	var names []string
	for _, t := range teams {
		names = append(names, t.Name)
	}
	return names
}

// TestTeamRoles checks that a user's role on an app is the highest of
// their own and their teams', and that it goes with the membership or the
// team.
func TestTeamRoles(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := t.Context()
	mustUser(t, db, "alice", false)
	dan := mustUser(t, db, "dan", false)
	for _, name := range []string{"hello", "other"} {
		if _, err := db.CreateApp(ctx, name, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	for _, team := range []string{"backend", "ops"} {
		if _, err := db.CreateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddTeamMember(ctx, team, "dan"); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		do   func() error
		want paas.Role
	}{
		{"nothing yet", nop, ""},
		{"team viewer", setTeam(db, "backend", paas.RoleViewer), paas.RoleViewer},
		{"direct deployer beats team viewer", setUser(db, "dan", paas.RoleDeployer), paas.RoleDeployer},
		{"team owner beats direct deployer", setTeam(db, "ops", paas.RoleOwner), paas.RoleOwner},
		{"leaving the owning team", func() error { return db.RemoveTeamMember(ctx, "ops", "dan") }, paas.RoleDeployer},
		{"direct role removed", func() error { return db.RemoveCollaborator(ctx, "hello", "dan") }, paas.RoleViewer},
		{"team role raised", setTeam(db, "backend", paas.RoleDeployer), paas.RoleDeployer},
		{"team role removed", func() error { return db.RemoveTeamRole(ctx, "hello", "backend") }, ""},
		{"team role again", setTeam(db, "backend", paas.RoleViewer), paas.RoleViewer},
		{"team deleted", func() error { return db.DeleteTeam(ctx, "backend") }, ""},
	}
	for _, st := range steps {
		checkCode(t, st.do(), "")
		got, err := db.AppRole(ctx, "hello", dan.ID)
		checkCode(t, err, "")
		if got != st.want {
			t.Errorf("%s: AppRole(hello, dan) = %q, want %q", st.name, got, st.want)
		}
	}
	if role, err := db.AppRole(ctx, "other", dan.ID); err != nil || role != "" {
		t.Errorf("AppRole(other, dan) = %q, %v; want no role", role, err)
	}
	checkCode(t, db.RemoveTeamRole(ctx, "hello", "ops"), "")
	checkCode(t, db.RemoveTeamRole(ctx, "hello", "ops"), paas.ENOTFOUND)
	_, err := db.SetTeamRole(ctx, "hello", "nope", paas.RoleViewer)
	checkCode(t, err, paas.ENOTFOUND)
	_, err = db.SetTeamRole(ctx, "nope", "ops", paas.RoleViewer)
	checkCode(t, err, paas.ENOTFOUND)
}

func nop() error { return nil }

// t0 is the context of the steps, which outlive no test.
var t0 = context.Background()

func setTeam(db *postgres.DB, team string, role paas.Role) func() error {
	return func() error {
		_, err := db.SetTeamRole(t0, "hello", team, role)
		return err
	}
}

func setUser(db *postgres.DB, user string, role paas.Role) func() error {
	return func() error {
		_, err := db.SetCollaborator(t0, "hello", user, role)
		return err
	}
}

// TestTeamVisibility checks that apps reachable through a team are listed,
// and listed with the team among their collaborators.
func TestTeamVisibility(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ctx := t.Context()
	mustUser(t, db, "alice", false)
	dan := mustUser(t, db, "dan", false)
	for _, name := range []string{"hello", "other"} {
		if _, err := db.CreateApp(ctx, name, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CreateTeam(ctx, "backend"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddTeamMember(ctx, "backend", "dan"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetTeamRole(ctx, "hello", "backend", paas.RoleDeployer); err != nil {
		t.Fatal(err)
	}
	apps, err := db.ListAppsPageOf(ctx, dan.ID, "", 0)
	checkCode(t, err, "")
	if len(apps) != 1 || apps[0].Name != "hello" {
		t.Errorf("apps of dan = %+v, want hello", apps)
	}
	cs, err := db.ListCollaborators(ctx, "hello")
	checkCode(t, err, "")
	var got []paas.Collaborator
	for _, c := range cs {
		got = append(got, paas.Collaborator{App: c.App, User: c.User, Team: c.Team, Role: c.Role})
	}
	want := []paas.Collaborator{{App: "hello", User: "alice", Role: paas.RoleOwner}, {App: "hello", Team: "backend", Role: paas.RoleDeployer}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("collaborators of hello (-want +got):\n%s", diff)
	}
}
