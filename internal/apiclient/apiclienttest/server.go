// Package apiclienttest runs an in-memory fake of the paasd API for the
// tests of the client and the CLI. It implements the routes of docs/api.md
// that the CLI calls, with the documented error shape and codes; the real
// server is exercised by the end-to-end tests.
package apiclienttest

import (
	"net/http"
	"net/http/httptest"
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
	requests []Request
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
	}
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
// becomes the app's release.
func (s *Server) AddRelease(app string, r paas.Release) paas.Release {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ID = s.newID()
	r.App = app
	s.releases[app] = append(s.releases[app], r)
	if r.Current {
		a := s.apps[app]
		a.Release = r.Version
		s.apps[app] = a
	}
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

func (s *Server) record(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path,
		UserAgent: r.UserAgent(), Authorization: r.Header.Get("Authorization"),
	})
}
