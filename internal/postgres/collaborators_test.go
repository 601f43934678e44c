package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCreatorOwnsApp(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	alice := mustUser(t, db, "alice", false)
	bob := mustUser(t, db, "bob", false)
	if _, err := db.CreateApp(t.Context(), "hello", "alice"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user *paas.User
		want paas.Role
	}{{alice, paas.RoleOwner}, {bob, ""}} {
		got, err := db.AppRole(t.Context(), "hello", tt.user.ID)
		if err != nil || got != tt.want {
			t.Errorf("AppRole(hello, %s) = %q, %v; want %q", tt.user.Name, got, err, tt.want)
		}
	}
	_, err := db.AppRole(t.Context(), "nope", alice.ID)
	checkCode(t, err, paas.ENOTFOUND)
}

func TestCollaborators(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	for _, name := range []string{"alice", "bob", "carol"} {
		mustUser(t, db, name, false)
	}
	if _, err := db.CreateApp(t.Context(), "hello", "alice"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		do     func() error
		code   string
		listed map[string]paas.Role
	}{
		{"add deployer", set(db, "bob", paas.RoleDeployer), "", map[string]paas.Role{"alice": "owner", "bob": "deployer"}},
		{"add viewer", set(db, "carol", paas.RoleViewer), "", map[string]paas.Role{"alice": "owner", "bob": "deployer", "carol": "viewer"}},
		{"unknown user", set(db, "dave", paas.RoleViewer), paas.ENOTFOUND, nil},
		{"bad role", set(db, "carol", "admin"), paas.EINVALID, nil},
		{"demote last owner", set(db, "alice", paas.RoleDeployer), paas.ECONFLICT, nil},
		{"remove last owner", remove(db, "alice"), paas.ECONFLICT, nil},
		{"second owner", set(db, "bob", paas.RoleOwner), "", map[string]paas.Role{"alice": "owner", "bob": "owner", "carol": "viewer"}},
		{"first owner leaves", remove(db, "alice"), "", map[string]paas.Role{"bob": "owner", "carol": "viewer"}},
		{"remove a stranger", remove(db, "alice"), paas.ENOTFOUND, nil},
		{"remove viewer", remove(db, "carol"), "", map[string]paas.Role{"bob": "owner"}},
	}
	for _, st := range steps {
		checkCode(t, st.do(), st.code)
		if st.listed == nil {
			continue
		}
		cs, err := db.ListCollaborators(t.Context(), "hello")
		checkCode(t, err, "")
		got := map[string]paas.Role{}
		for _, c := range cs {
			got[c.User] = c.Role
		}
		if diff := cmp.Diff(st.listed, got); diff != "" {
			t.Errorf("%s: collaborators mismatch (-want +got):\n%s", st.name, diff)
		}
	}
	_, err := db.ListCollaborators(t.Context(), "nope")
	checkCode(t, err, paas.ENOTFOUND)
	_, err = db.SetCollaborator(t.Context(), "nope", "bob", paas.RoleViewer)
	checkCode(t, err, paas.ENOTFOUND)
}

// set returns a step that gives user role on app hello.
func set(db *postgres.DB, user string, role paas.Role) func() error {
	return func() error {
		c, err := db.SetCollaborator(context.Background(), "hello", user, role)
		if err == nil && (c.App != "hello" || c.User != user || c.Role != role) {
			return fmt.Errorf("SetCollaborator returned %+v", c)
		}
		return err
	}
}

// remove returns a step that takes user's role on app hello away.
func remove(db *postgres.DB, user string) func() error {
	return func() error { return db.RemoveCollaborator(context.Background(), "hello", user) }
}

func TestListAppsPageOf(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	alice := mustUser(t, db, "alice", false)
	mustUser(t, db, "bob", false)
	for _, a := range []struct{ app, owner string }{{"b-app", "alice"}, {"a-app", "alice"}, {"other", "bob"}} {
		if _, err := db.CreateApp(t.Context(), a.app, a.owner); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SetCollaborator(t.Context(), "other", "alice", paas.RoleViewer); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		after string
		limit int
		want  []string
	}{
		{"", 0, []string{"a-app", "b-app", "other"}},
		{"", 2, []string{"a-app", "b-app"}},
		{"b-app", 2, []string{"other"}},
		{"other", 2, nil},
	} {
		got, err := db.ListAppsPageOf(t.Context(), alice.ID, tt.after, tt.limit)
		checkCode(t, err, "")
		var names []string
		for _, a := range got {
			names = append(names, a.Name)
		}
		if diff := cmp.Diff(tt.want, names, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ListAppsPageOf(after %q, limit %d) mismatch (-want +got):\n%s", tt.after, tt.limit, diff)
		}
	}
}
