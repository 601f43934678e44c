package apiclienttest

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// team is a team of the fake: when it was made and its members.
type team struct {
	created time.Time
	members map[string]bool
}

// mountTeams adds the routes of teams and of teams' roles on apps to mux.
// The fake's caller is a platform admin: it sees every team.
func (s *Server) mountTeams(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/teams", s.locked(s.listTeams))
	mux.HandleFunc("POST /v1/teams", s.locked(s.createTeam))
	mux.HandleFunc("DELETE /v1/teams/{team}", s.locked(s.destroyTeam))
	mux.HandleFunc("GET /v1/teams/{team}/members", s.locked(s.listMembers))
	mux.HandleFunc("PUT /v1/teams/{team}/members/{user}", s.locked(s.addMember))
	mux.HandleFunc("DELETE /v1/teams/{team}/members/{user}", s.locked(s.removeMember))
	mux.HandleFunc("PUT /v1/apps/{app}/access/teams/{team}", s.locked(s.setTeamAccess))
	mux.HandleFunc("DELETE /v1/apps/{app}/access/teams/{team}", s.locked(s.removeTeamAccess))
}

func (s *Server) listTeams(w http.ResponseWriter, _ *http.Request) {
	out := []paas.Team{}
	for name, t := range s.acc.teams {
		out = append(out, paas.Team{Name: name, Members: len(t.members), CreatedAt: t.created})
	}
	slices.SortFunc(out, func(a, b paas.Team) int { return strings.Compare(a.Name, b.Name) })
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name string }
	if !decode(w, r, &in) {
		return
	}
	err := paas.ValidateTeamName(in.Name)
	if err == nil && s.acc.teams[in.Name] != nil {
		err = paas.Errorf(paas.ECONFLICT, "team %q already exists; choose another name", in.Name)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	t := &team{created: time.Now().UTC().Truncate(time.Second), members: map[string]bool{}}
	s.acc.teams[in.Name] = t
	writeJSON(w, http.StatusCreated, paas.Team{Name: in.Name, CreatedAt: t.created})
}

// findTeam returns the team named in the path or writes a not_found error.
// The caller holds s.mu.
func (s *Server) findTeam(w http.ResponseWriter, r *http.Request) (string, *team, bool) {
	name := r.PathValue("team")
	t := s.acc.teams[name]
	if t == nil {
		writeError(w, paas.ErrTeamNotFound(name))
	}
	return name, t, t != nil
}

func (s *Server) destroyTeam(w http.ResponseWriter, r *http.Request) {
	name, _, ok := s.findTeam(w, r)
	if !ok {
		return
	}
	delete(s.acc.teams, name)
	for _, roles := range s.acc.teamRoles {
		delete(roles, name)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	name, t, ok := s.findTeam(w, r)
	if !ok {
		return
	}
	out := []paas.TeamMember{}
	for user := range t.members {
		out = append(out, paas.TeamMember{Team: name, User: user, CreatedAt: t.created})
	}
	slices.SortFunc(out, func(a, b paas.TeamMember) int { return strings.Compare(a.User, b.User) })
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	name, t, ok := s.findTeam(w, r)
	if !ok {
		return
	}
	user := r.PathValue("user")
	if s.acc.users[user] == nil {
		writeError(w, paas.Errorf(paas.ENOTFOUND, "user %q not found; check the name or ask an admin to create the user", user))
		return
	}
	t.members[user] = true
	writeJSON(w, http.StatusOK, paas.TeamMember{Team: name, User: user, CreatedAt: t.created})
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	name, t, ok := s.findTeam(w, r)
	if !ok {
		return
	}
	user := r.PathValue("user")
	if !t.members[user] {
		writeError(w, paas.Errorf(paas.ENOTFOUND, "user %q is not a member of team %q; list its members with: paas teams:members %s", user, name, name))
		return
	}
	delete(t.members, user)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setTeamAccess(w http.ResponseWriter, r *http.Request) {
	a, ok := s.findApp(w, r)
	var in struct{ Role string }
	if !ok || !decode(w, r, &in) {
		return
	}
	role, err := paas.ParseRole(in.Role)
	if err != nil {
		writeError(w, err)
		return
	}
	name, _, ok := s.findTeam(w, r)
	if !ok {
		return
	}
	if s.acc.teamRoles[a.Name] == nil {
		s.acc.teamRoles[a.Name] = map[string]paas.Role{}
	}
	s.acc.teamRoles[a.Name][name] = role
	writeJSON(w, http.StatusOK, paas.Collaborator{App: a.Name, Team: name, Role: role, CreatedAt: a.CreatedAt})
}

func (s *Server) removeTeamAccess(w http.ResponseWriter, r *http.Request) {
	a, ok := s.findApp(w, r)
	if !ok {
		return
	}
	name := r.PathValue("team")
	if _, has := s.acc.teamRoles[a.Name][name]; !has {
		writeError(w, paas.Errorf(paas.ENOTFOUND, "team %q has no access to app %q; list who has with: paas access -a %s", name, a.Name, a.Name))
		return
	}
	delete(s.acc.teamRoles[a.Name], name)
	w.WriteHeader(http.StatusNoContent)
}
