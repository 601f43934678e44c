package postgres_test

import (
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAuditLog(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	alice := mustUser(t, db, "alice", false)
	bob := mustUser(t, db, "bob", false)
	record := func(user, action, app string) {
		t.Helper()
		e := &paas.AuditEntry{User: user, TokenID: 7, Action: action, App: app, Method: "POST",
			Path: "/v1/x", Status: 201, ClientIP: "192.0.2.1", RequestID: "r1"}
		checkCode(t, db.AddAuditEntry(t.Context(), e), "")
	}
	// An entry of an earlier app named mine, destroyed before alice made hers.
	record("bob", "app.destroy", "mine")
	if _, err := db.CreateApp(t.Context(), "mine", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateApp(t.Context(), "theirs", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetCollaborator(t.Context(), "theirs", "alice", paas.RoleDeployer); err != nil {
		t.Fatal(err)
	}
	record("alice", "app.create", "mine")
	record("alice", "config.set", "theirs")
	record("", "login", "")

	actions := func(f paas.AuditFilter) []string {
		t.Helper()
		es, err := db.ListAuditEntries(t.Context(), f)
		checkCode(t, err, "")
		out := []string{}
		for _, e := range es {
			out = append(out, e.Action+" "+e.App)
		}
		return out
	}
	tests := []struct {
		name   string
		filter paas.AuditFilter
		want   []string
	}{
		{"everything", paas.AuditFilter{}, []string{"login ", "config.set theirs", "app.create mine", "app.destroy mine"}},
		{"limited", paas.AuditFilter{Limit: 2}, []string{"login ", "config.set theirs"}},
		{"one app", paas.AuditFilter{App: "mine"}, []string{"app.create mine", "app.destroy mine"}},
		{"alice owns mine since it was made", paas.AuditFilter{OwnerID: alice.ID}, []string{"app.create mine"}},
		{"bob owns theirs", paas.AuditFilter{OwnerID: bob.ID}, []string{"config.set theirs"}},
		{"bob does not own mine", paas.AuditFilter{OwnerID: bob.ID, App: "mine"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, actions(tt.filter)); diff != "" {
				t.Errorf("ListAuditEntries mismatch (-want +got):\n%s", diff)
			}
		})
	}
	es, err := db.ListAuditEntries(t.Context(), paas.AuditFilter{Limit: 1})
	checkCode(t, err, "")
	want := &paas.AuditEntry{User: "", TokenID: 7, Action: "login", Method: "POST", Path: "/v1/x", Status: 201, ClientIP: "192.0.2.1", RequestID: "r1"}
	if diff := cmp.Diff(want, es[0], cmpopts.IgnoreFields(paas.AuditEntry{}, "ID", "CreatedAt")); diff != "" {
		t.Errorf("entry mismatch (-want +got):\n%s", diff)
	}
	checkRecent(t, "CreatedAt", es[0].CreatedAt)
}
