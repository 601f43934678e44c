package apiclienttest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// account is a user of the fake with their password ("" for none).
type account struct {
	user     paas.User
	password string
}

// accounts is the fake's state of users, tokens, roles and the audit log.
type accounts struct {
	users  map[string]*account
	tokens []paas.Token
	roles  map[string]map[string]paas.Role // app → user → role, besides the owner
	audit  []paas.AuditEntry
	// teams by name, and teamRoles app → team → role.
	teams     map[string]*team
	teamRoles map[string]map[string]paas.Role
}

// AddUser adds a user who logs in with password. A login answers the
// fake's Token, so that the CLI's next calls are accepted.
func (s *Server) AddUser(name, password string, admin bool) paas.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := paas.User{ID: s.newID(), Name: name, Admin: admin, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	s.acc.users[name] = &account{user: u, password: password}
	return u
}

// Users returns the users of the fake, sorted by name.
func (s *Server) Users() []paas.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usersLocked()
}

// Tokens returns the tokens made through the fake that are not revoked.
func (s *Server) Tokens() []paas.Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acc.tokens)
}

// AddAuditEntry appends e to the audit log, newest last.
func (s *Server) AddAuditEntry(e paas.AuditEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.ID = s.newID()
	s.acc.audit = append(s.acc.audit, e)
}

func (s *Server) usersLocked() []paas.User {
	var out []paas.User
	for _, a := range s.acc.users {
		out = append(out, a.user)
	}
	slices.SortFunc(out, func(a, b paas.User) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// mountAccounts adds the routes of users, tokens, access and the audit
// log to mux.
func (s *Server) mountAccounts(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/login", s.login)
	mux.HandleFunc("GET /v1/users", s.locked(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.usersLocked()) }))
	mux.HandleFunc("POST /v1/users", s.locked(s.createUser))
	mux.HandleFunc("GET /v1/tokens", s.locked(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, nonNil(s.acc.tokens)) }))
	mux.HandleFunc("POST /v1/tokens", s.locked(s.createToken))
	mux.HandleFunc("DELETE /v1/tokens/{id}", s.locked(s.revokeToken))
	mux.HandleFunc("GET /v1/apps/{app}/access", s.locked(s.listAccess))
	mux.HandleFunc("PUT /v1/apps/{app}/access/{user}", s.locked(s.setAccess))
	mux.HandleFunc("DELETE /v1/apps/{app}/access/{user}", s.locked(s.removeAccess))
	s.mountTeams(mux)
	mux.HandleFunc("GET /v1/audit", s.locked(s.listAudit))
}

// locked runs h holding s.mu.
func (s *Server) locked(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		h(w, r)
	}
}

// newToken is the answer to a login or a new token.
type newToken struct {
	paas.Token
	Secret string `json:"secret"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Name, Password string }
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.acc.users[in.Name]
	if a == nil || a.password == "" || a.password != in.Password {
		writeError(w, paas.Errorf(paas.EUNAUTHORIZED, "wrong user name or password"))
		return
	}
	expires := time.Now().Add(30 * 24 * time.Hour).UTC()
	t := paas.Token{ID: s.newID(), User: in.Name, Name: "login from " + r.UserAgent(), Scope: paas.ScopeAdmin, ExpiresAt: &expires}
	s.acc.tokens = append(s.acc.tokens, t)
	s.User = a.user
	writeJSON(w, http.StatusCreated, newToken{Token: t, Secret: s.Token})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		Admin    bool   `json:"admin"`
		Password string `json:"password"`
	}
	if !decode(w, r, &in) {
		return
	}
	if s.acc.users[in.Name] != nil {
		writeError(w, paas.Errorf(paas.ECONFLICT, "user %q already exists; choose another name", in.Name))
		return
	}
	out := struct {
		User     paas.User `json:"user"`
		Password string    `json:"password,omitempty"`
	}{User: paas.User{ID: s.newID(), Name: in.Name, Admin: in.Admin, CreatedAt: time.Now().UTC().Truncate(time.Second)}}
	password := in.Password
	if password == "" {
		password, out.Password = "GENERATED-PASSWORD-0001", "GENERATED-PASSWORD-0001"
	}
	s.acc.users[in.Name] = &account{user: out.User, password: password}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name      string `json:"name"`
		Scope     string `json:"scope"`
		ExpiresIn int64  `json:"expires_in"`
	}
	if !decode(w, r, &in) {
		return
	}
	scope, err := paas.ParseScope(in.Scope)
	if err == nil && in.ExpiresIn <= 0 {
		err = paas.Errorf(paas.EINVALID, "a token must expire; give its lifetime, such as 30d")
	}
	if err != nil {
		writeError(w, err)
		return
	}
	expires := time.Now().Add(time.Duration(in.ExpiresIn) * time.Second).UTC().Truncate(time.Second)
	t := paas.Token{ID: s.newID(), User: s.User.Name, Name: cmpOr(in.Name, "token"), Scope: scope,
		CreatedAt: time.Now().UTC().Truncate(time.Second), ExpiresAt: &expires}
	s.acc.tokens = append(s.acc.tokens, t)
	writeJSON(w, http.StatusCreated, newToken{Token: t, Secret: "paas_new_secret_" + strconv.FormatInt(t.ID, 10)})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	i := slices.IndexFunc(s.acc.tokens, func(t paas.Token) bool { return strconv.FormatInt(t.ID, 10) == r.PathValue("id") })
	if i < 0 {
		writeError(w, paas.Errorf(paas.ENOTFOUND, "token %s not found or already revoked; list your tokens with: paas tokens", r.PathValue("id")))
		return
	}
	s.acc.tokens = slices.Delete(s.acc.tokens, i, i+1)
	w.WriteHeader(http.StatusNoContent)
}

// collaboratorsLocked lists app's owner, then the roles given, by rank and
// name.
func (s *Server) collaboratorsLocked(a paas.App) []paas.Collaborator {
	out := []paas.Collaborator{{App: a.Name, User: a.Owner, Role: paas.RoleOwner, CreatedAt: a.CreatedAt}}
	for user, role := range s.acc.roles[a.Name] {
		out = append(out, paas.Collaborator{App: a.Name, User: user, Role: role, CreatedAt: a.CreatedAt})
	}
	for team, role := range s.acc.teamRoles[a.Name] {
		out = append(out, paas.Collaborator{App: a.Name, Team: team, Role: role, CreatedAt: a.CreatedAt})
	}
	rank := map[paas.Role]int{paas.RoleOwner: 0, paas.RoleDeployer: 1, paas.RoleViewer: 2}
	slices.SortFunc(out[1:], func(x, y paas.Collaborator) int {
		if d := rank[x.Role] - rank[y.Role]; d != 0 {
			return d
		}
		if d := strings.Compare(x.Team, y.Team); d != 0 {
			return d
		}
		return strings.Compare(x.User, y.User)
	})
	return out
}

func (s *Server) listAccess(w http.ResponseWriter, r *http.Request) {
	if a, ok := s.findApp(w, r); ok {
		writeJSON(w, http.StatusOK, s.collaboratorsLocked(a))
	}
}

func (s *Server) setAccess(w http.ResponseWriter, r *http.Request) {
	a, ok := s.findApp(w, r)
	var in struct{ Role string }
	if !ok || !decode(w, r, &in) {
		return
	}
	role, err := paas.ParseRole(in.Role)
	user := r.PathValue("user")
	if err == nil && s.acc.users[user] == nil {
		err = paas.Errorf(paas.ENOTFOUND, "user %q not found; check the name or ask an admin to create the user", user)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	if s.acc.roles[a.Name] == nil {
		s.acc.roles[a.Name] = map[string]paas.Role{}
	}
	s.acc.roles[a.Name][user] = role
	writeJSON(w, http.StatusOK, paas.Collaborator{App: a.Name, User: user, Role: role, CreatedAt: a.CreatedAt})
}

func (s *Server) removeAccess(w http.ResponseWriter, r *http.Request) {
	a, ok := s.findApp(w, r)
	if !ok {
		return
	}
	user := r.PathValue("user")
	if _, has := s.acc.roles[a.Name][user]; !has {
		writeError(w, paas.Errorf(paas.ENOTFOUND, "user %q has no access to app %q; list who has with: paas access -a %s", user, a.Name, a.Name))
		return
	}
	delete(s.acc.roles[a.Name], user)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	app := r.URL.Query().Get("app")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	out := []paas.AuditEntry{}
	for _, e := range slices.Backward(s.acc.audit) {
		if (app == "" || e.App == app) && (limit <= 0 || len(out) < limit) {
			out = append(out, e)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// decode reads a JSON body into v or writes an invalid error.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, paas.Errorf(paas.EINVALID, "request body is not valid JSON: %v", err))
		return false
	}
	return true
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
