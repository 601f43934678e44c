// Package apiclienttest runs an in-memory fake of the paasd API for the
// tests of the client and the CLI. It implements the routes of docs/api.md
// that the CLI calls, with the documented error shape and codes and the
// rules of the real pipeline (a config change, rollback or scale makes a
// new current release, which adopts its config vars); the real server is
// exercised by the end-to-end tests.
package apiclienttest

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// Request is what the fake saw of one request.
type Request struct {
	Method        string
	Path          string
	UserAgent     string
	Authorization string
	// Body is the request body, empty when there was none.
	Body string
}

// Server is a running fake API. Its zero value is not usable; call New.
type Server struct {
	// URL is the base URL of the fake, such as http://127.0.0.1:41234.
	URL string
	// Token is the only token the fake accepts.
	Token string
	// User is the user that Token belongs to.
	User paas.User

	mu       sync.Mutex
	nextID   int64
	apps     map[string]paas.App
	builds   map[string][]paas.Build
	logs     map[string]map[int64]string
	releases map[string][]paas.Release
	config   map[string]map[string]string
	drift    map[string]paas.Event
	procs    map[string][]paas.ProcessState
	runner   RunFunc
	requests []Request
	acc      accounts
}

// New starts a fake that accepts token and stops it when the test ends.
func New(t testing.TB, token string) *Server {
	t.Helper()
	s := &Server{
		Token:    token,
		User:     paas.User{ID: 1, Name: "admin", Admin: true, CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
		apps:     map[string]paas.App{},
		builds:   map[string][]paas.Build{},
		logs:     map[string]map[int64]string{},
		releases: map[string][]paas.Release{},
		config:   map[string]map[string]string{},
		drift:    map[string]paas.Event{},
		procs:    map[string][]paas.ProcessState{},
	}
	s.acc = accounts{users: map[string]*account{s.User.Name: {user: s.User}}, roles: map[string]map[string]paas.Role{},
		teams: map[string]*team{}, teamRoles: map[string]map[string]paas.Role{}}
	hs := httptest.NewServer(s.handler())
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// Requests returns the requests seen so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// HasApp reports whether the fake holds an app with that name.
func (s *Server) HasApp(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.apps[name]
	return ok
}

// AddApp creates an app as POST /v1/apps would and returns it.
func (s *Server) AddApp(name string) paas.App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addAppLocked(name)
}

// AddBuild records a build of app, newest last, with its log. A zero ID is
// replaced by the next free one.
func (s *Server) AddBuild(app string, b paas.Build, log string) paas.Build {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.ID == 0 {
		b.ID = s.newID()
	}
	b.App = app
	s.builds[app] = append(s.builds[app], b)
	if s.logs[app] == nil {
		s.logs[app] = map[int64]string{}
	}
	s.logs[app][b.ID] = log
	return b
}

// AddRelease records a release of app, newest last. A current release
// becomes the app's release and, as a deploy would, carries the app's
// config vars when r.Config is nil; the app then adopts its config vars.
func (s *Server) AddRelease(app string, r paas.Release) paas.Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.App = app
	if r.Current && r.Config == nil && len(s.config[app]) > 0 {
		r.Config = maps.Clone(s.config[app])
	}
	if r.ConfigKeys == nil && len(r.Config) > 0 {
		r.ConfigKeys = slices.Sorted(maps.Keys(r.Config))
	}
	return s.addReleaseLocked(r)
}

// Config returns a copy of app's current config vars.
func (s *Server) Config(app string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.config[app])
}

// SetConfig replaces app's config vars, as if set before the first deploy.
func (s *Server) SetConfig(app string, config map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.config[app] = maps.Clone(config)
}

// SetLastDrift records ev as the last drift repaired on app; GET
// /v1/apps/{app} shows it as last_drift.
func (s *Server) SetLastDrift(app string, ev paas.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev.App = app
	s.drift[app] = ev
}

// SetProcesses replaces the instances that GET /v1/apps/{app}/ps lists.
// A release made through the API replaces them with running instances of
// its formation, as a finished rollout would.
func (s *Server) SetProcesses(app string, ps []paas.ProcessState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.procs[app] = slices.Clone(ps)
}

// Processes returns the instances of app as the fake holds them.
func (s *Server) Processes(app string) []paas.ProcessState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.procs[app])
}

// HandleRuns sets the function that runs the commands of POST
// /v1/apps/{app}/runs; nil restores the default, which prints the command
// and exits 0.
func (s *Server) HandleRuns(f RunFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runner = f
}

// addReleaseLocked appends r with the next ID; a current release replaces
// the app's current one and its config vars. The caller holds s.mu.
func (s *Server) addReleaseLocked(r paas.Release) paas.Release {
	r.ID = s.newID()
	if r.Current {
		for i := range s.releases[r.App] {
			s.releases[r.App][i].Current = false
		}
		a := s.apps[r.App]
		a.Release = r.Version
		s.apps[r.App] = a
		s.config[r.App] = maps.Clone(r.Config)
	}
	s.releases[r.App] = append(s.releases[r.App], r)
	return r
}

func (s *Server) addAppLocked(name string) paas.App {
	a := paas.App{ID: s.newID(), Name: name, Owner: s.User.Name, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	s.apps[name] = a
	return a
}

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// record remembers r, body included, and leaves the body for the handler.
func (s *Server) record(r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path,
		UserAgent: r.UserAgent(), Authorization: r.Header.Get("Authorization"),
		Body: string(body),
	})
}

// maxBody bounds the request bodies the fake reads.
const maxBody = 1 << 20
