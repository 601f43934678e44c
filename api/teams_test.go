package api

import (
	"encoding/json"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// TestTeamAccessRoutes checks that the access list shows team grants, and
// that a user named "teams" is still reached by the user routes.
func TestTeamAccessRoutes(t *testing.T) {
	e := newTestEnv(t, Options{})
	e.addUser("olive", false)
	e.addUser("teams", false)
	e.addApp("hello", "olive", nil)
	if _, err := e.db.CreateTeam(t.Context(), "backend"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []request{
		{method: "PUT", path: "/v1/apps/hello/access/teams", body: `{"role":"viewer"}`},
		{method: "PUT", path: "/v1/apps/hello/access/teams/backend", body: `{"role":"deployer"}`},
	} {
		r.bearer = e.tokens["olive"]
		if w := e.do(r); w.Code != 200 {
			t.Fatalf("%s %s = %d: %s", r.method, r.path, w.Code, w.Body)
		}
	}
	w := e.do(request{method: "GET", path: "/v1/apps/hello/access", bearer: e.tokens["olive"]})
	var cs []paas.Collaborator
	if err := json.Unmarshal(w.Body.Bytes(), &cs); err != nil {
		t.Fatalf("GET access = %d %s: %v", w.Code, w.Body, err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, c.User+"|"+c.Team+"|"+string(c.Role))
	}
	want := []string{"olive||owner", "|backend|deployer", "teams||viewer"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("access of hello (-want +got):\n%s", diff)
	}
}
