package apiclienttest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gitpaas/paas"
)

// appJSON is an app with the URLs the API adds to it.
type appJSON struct {
	paas.App
	GitURL    string      `json:"git_url"`
	WebURL    string      `json:"web_url"`
	LastDrift *paas.Event `json:"last_drift,omitempty"`
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /v1/whoami", s.whoami)
	mux.HandleFunc("GET /v1/apps", s.listApps)
	mux.HandleFunc("POST /v1/apps", s.createApp)
	mux.HandleFunc("GET /v1/apps/{app}", s.getApp)
	mux.HandleFunc("DELETE /v1/apps/{app}", s.deleteApp)
	mux.HandleFunc("GET /v1/apps/{app}/builds", s.listBuilds)
	mux.HandleFunc("GET /v1/apps/{app}/builds/{id}", s.getBuild)
	mux.HandleFunc("GET /v1/apps/{app}/builds/{id}/log", s.buildLog)
	mux.HandleFunc("GET /v1/apps/{app}/releases", s.listReleases)
	mux.HandleFunc("GET /v1/apps/{app}/releases/{version}", s.getRelease)
	mux.HandleFunc("GET /v1/apps/{app}/config", s.getConfig)
	mux.HandleFunc("PATCH /v1/apps/{app}/config", s.patchConfig)
	mux.HandleFunc("POST /v1/apps/{app}/rollback", s.rollback)
	mux.HandleFunc("GET /v1/apps/{app}/formation", s.getFormation)
	mux.HandleFunc("PATCH /v1/apps/{app}/formation", s.scale)
	mux.HandleFunc("GET /v1/apps/{app}/ps", s.listProcesses)
	mux.HandleFunc("POST /v1/apps/{app}/ps/restart", s.restart)
	mux.HandleFunc("POST /v1/apps/{app}/runs", s.run)
	s.mountAccounts(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, paas.Errorf(paas.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path))
	})
	return s.authenticate(mux)
}

// authenticate records every request and rejects /v1 requests without the
// right bearer token, but for logins.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record(r)
		if strings.HasPrefix(r.URL.Path, "/v1/") && r.URL.Path != "/v1/login" && r.Header.Get("Authorization") != "Bearer "+s.Token {
			writeError(w, paas.Errorf(paas.EUNAUTHORIZED, "missing or invalid token; log in with: paas login"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.User)
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []appJSON{}
	for _, a := range s.apps {
		out = append(out, s.appJSON(a))
	}
	slices.SortFunc(out, func(a, b appJSON) int { return strings.Compare(a.Name, b.Name) })
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, paas.Errorf(paas.EINVALID, "request body is not valid JSON: %v", err))
		return
	}
	if err := paas.ValidateAppName(in.Name); err != nil {
		writeError(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[in.Name]; ok {
		writeError(w, paas.Errorf(paas.ECONFLICT, "app %q already exists; choose another name", in.Name))
		return
	}
	writeJSON(w, http.StatusCreated, s.appJSON(s.addAppLocked(in.Name)))
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.findApp(w, r)
	if !ok {
		return
	}
	body := s.appJSON(a)
	if ev, ok := s.drift[a.Name]; ok {
		body.LastDrift = &ev
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) deleteApp(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.findApp(w, r)
	if !ok {
		return
	}
	delete(s.apps, a.Name)
	delete(s.builds, a.Name)
	delete(s.logs, a.Name)
	delete(s.releases, a.Name)
	delete(s.config, a.Name)
	delete(s.drift, a.Name)
	delete(s.procs, a.Name)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listBuilds(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.findApp(w, r); ok {
		writeJSON(w, http.StatusOK, newestFirst(s.builds[a.Name]))
	}
}

func (s *Server) getBuild(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.findBuild(w, r); ok {
		writeJSON(w, http.StatusOK, b)
	}
}

func (s *Server) buildLog(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.findBuild(w, r); ok {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(s.logs[b.App][b.ID]))
	}
}

func (s *Server) listReleases(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.findApp(w, r); ok {
		writeJSON(w, http.StatusOK, newestFirst(s.releases[a.Name]))
	}
}

func (s *Server) getRelease(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.findApp(w, r)
	if !ok {
		return
	}
	raw := r.PathValue("version")
	v, err := strconv.Atoi(strings.TrimPrefix(raw, "v"))
	for _, rel := range s.releases[a.Name] {
		if err == nil && rel.Version == v {
			writeJSON(w, http.StatusOK, rel)
			return
		}
	}
	writeError(w, paas.Errorf(paas.ENOTFOUND, "release %q of app %q not found; list them with: paas releases -a %s", raw, a.Name, a.Name))
}

// findApp returns the app named in the path or writes a not_found error.
// The caller holds s.mu.
func (s *Server) findApp(w http.ResponseWriter, r *http.Request) (paas.App, bool) {
	name := r.PathValue("app")
	a, ok := s.apps[name]
	if !ok {
		writeError(w, paas.Errorf(paas.ENOTFOUND, "app %q not found; list your apps with: paas apps", name))
	}
	return a, ok
}

// findBuild returns the build named in the path or writes a not_found
// error. The caller holds s.mu.
func (s *Server) findBuild(w http.ResponseWriter, r *http.Request) (paas.Build, bool) {
	a, ok := s.findApp(w, r)
	if !ok {
		return paas.Build{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for _, b := range s.builds[a.Name] {
		if err == nil && b.ID == id {
			return b, true
		}
	}
	writeError(w, paas.Errorf(paas.ENOTFOUND, "build %q of app %q not found; list them with: paas builds -a %s", r.PathValue("id"), a.Name, a.Name))
	return paas.Build{}, false
}

func (s *Server) appJSON(a paas.App) appJSON {
	return appJSON{App: a, GitURL: s.URL + "/git/" + a.Name + ".git", WebURL: "http://" + a.Name + ".localhost:8080/"}
}

// newestFirst returns a reversed copy, never nil, of a list kept oldest
// first.
func newestFirst[T any](in []T) []T {
	out := append([]T{}, in...)
	slices.Reverse(out)
	return out
}

func writeError(w http.ResponseWriter, err error) {
	code := paas.ErrorCode(err)
	body := map[string]map[string]string{"error": {"code": code, "message": paas.ErrorMessage(err)}}
	writeJSON(w, paas.HTTPStatus(code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
