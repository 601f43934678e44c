package gitserver

import (
	"net/http"
	"strings"
)

// httptestMux mounts the git endpoint and the hook as paasd's API does.
func httptestMux(s *Server) http.Handler {
	hooks := s.HookHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/hooks/") {
			hooks.ServeHTTP(w, r)
			return
		}
		s.ServeHTTP(w, r)
	})
}
