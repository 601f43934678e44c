package gitserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gitpaas/paas"
)

// pendingPush is a receive-pack in flight whose hook has not called back yet.
// The token is handed only to that receive-pack's hook, through its
// environment, and is good for one call.
type pendingPush struct {
	app   string
	by    pusher
	token string
	used  bool
}

// hookRequest is what the hook sends back: the ref updates git read on the
// hook's stdin and where git keeps the pushed objects until the hook passes.
type hookRequest struct {
	Quarantine string      `json:"quarantine"`
	Updates    []RefUpdate `json:"updates"`
}

// hookResultTrailer carries the outcome after the streamed build output.
const hookResultTrailer = "Paas-Result"

func (s *Server) registerPush(app string, by pusher) (id string, env []string) {
	id, token := randomHex(16), randomHex(32)
	s.mu.Lock()
	s.pending[id] = &pendingPush{app: app, by: by, token: token}
	s.mu.Unlock()
	return id, []string{
		"PAAS_HOOK_URL=" + strings.TrimSuffix(s.opts.HookURL, "/") + "/" + id,
		"PAAS_HOOK_TOKEN=" + token,
	}
}

func (s *Server) unregisterPush(id string) {
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
}

// claimPush returns the push with id if token matches and it was not
// claimed before.
func (s *Server) claimPush(id, token string) (*pendingPush, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pending[id]
	if !ok || p.used || subtle.ConstantTimeCompare([]byte(p.token), []byte(token)) != 1 {
		return nil, false
	}
	p.used = true
	return p, true
}

// HookHandler serves the pre-receive hook's call back, at HookURL/<push id>.
// It runs the push handler and streams its output as the response body; the
// outcome follows in the Paas-Result trailer.
func (s *Server) HookHandler() http.Handler {
	return http.HandlerFunc(s.serveHook)
}

func (s *Server) serveHook(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	p, ok := s.claimPush(id, token)
	if r.Method != http.MethodPost || !ok {
		http.Error(w, "unknown push", http.StatusNotFound)
		return
	}
	var req hookRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "bad hook request", http.StatusBadRequest)
		return
	}
	w.Header().Set("Trailer", hookResultTrailer)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	out := &flushWriter{w: w, rc: http.NewResponseController(w)}
	err := s.receive(r, p, req, out)
	s.recordPush(r.Context(), p.app, p.by, err)
	if err != nil {
		fmt.Fprintf(out, "\n !     %s\n\n", strings.ReplaceAll(paas.ErrorMessage(err), "\n", "\n !     "))
		w.Header().Set(hookResultTrailer, "failed")
		return
	}
	w.Header().Set(hookResultTrailer, "ok")
}

func (s *Server) receive(r *http.Request, p *pendingPush, req hookRequest, out io.Writer) error {
	repo := s.RepoPath(p.app)
	if req.Quarantine != "" {
		if err := adoptQuarantine(repo, req.Quarantine); err != nil {
			s.logger.Error("adopt pushed objects", "app", p.app, "error", err)
			return paas.Errorf(paas.EINTERNAL, "could not store the pushed objects; try the push again")
		}
	}
	push := Push{App: p.app, User: p.by.user, RepoPath: repo, Updates: req.Updates}
	return s.pushes.HandlePush(r.Context(), push, out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}
