package gitserver

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/gitpaas/paas"
)

// services are the git commands the endpoint runs; the key is the name in
// the URL and in ?service=.
var services = map[string]bool{"git-receive-pack": true, "git-upload-pack": true}

// ServeHTTP serves /git/<app>.git/info/refs and /git/<app>.git/<service>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	app, rest, ok := splitRepoPath(r.URL.Path)
	if !ok {
		http.Error(w, "not a git repository path; use /git/<app>.git", http.StatusNotFound)
		return
	}
	id, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	if err := paas.ValidateAppName(app); err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if !s.authorize(w, r, app, rest, id) {
		return
	}
	if _, err := s.apps.GetApp(r.Context(), app); err != nil {
		s.gitError(w, err)
		return
	}
	switch {
	case rest == "info/refs" && r.Method == http.MethodGet:
		s.advertise(w, r, app)
	case services[rest] && r.Method == http.MethodPost:
		s.serviceRPC(w, r, app, id, rest)
	default:
		http.Error(w, "unsupported git request", http.StatusNotFound)
	}
}

// splitRepoPath turns "/git/hello.git/info/refs" into ("hello", "info/refs").
func splitRepoPath(p string) (app, rest string, ok bool) {
	p = strings.TrimPrefix(p, "/git/")
	name, rest, found := strings.Cut(p, "/")
	if !found || !strings.HasSuffix(name, ".git") {
		return "", "", false
	}
	return strings.TrimSuffix(name, ".git"), rest, true
}

// authenticate checks HTTP basic auth, where the password is an API token
// and the user name is ignored, as on Heroku.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*paas.Identity, bool) {
	_, token, ok := r.BasicAuth()
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="paas"`)
		http.Error(w, "authentication required: run `paas login`, which stores your token in ~/.netrc", http.StatusUnauthorized)
		return nil, false
	}
	id, err := s.auth.Authenticate(r.Context(), token)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="paas"`)
		http.Error(w, "invalid credentials: run `paas login` again", http.StatusUnauthorized)
		return nil, false
	}
	return id, true
}

// authorize checks that id may push to app (receive-pack) or fetch from it
// (anything else), and records refused pushes.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, app, rest string, id *paas.Identity) bool {
	push := rest == "git-receive-pack" || r.URL.Query().Get("service") == "git-receive-pack"
	need := FetchPermission
	if push {
		need = PushPermission
	}
	err := s.auth.Authorize(r.Context(), id, app, need)
	if err == nil {
		return true
	}
	if push {
		s.recordPush(r.Context(), app, pusherOf(r, id), err)
	}
	s.gitError(w, err)
	return false
}

func (s *Server) gitError(w http.ResponseWriter, err error) {
	switch paas.ErrorCode(err) {
	case paas.ENOTFOUND:
		http.Error(w, paas.ErrorMessage(err), http.StatusNotFound)
	case paas.EFORBIDDEN:
		http.Error(w, paas.ErrorMessage(err), http.StatusForbidden)
	default:
		s.logger.Error("git request", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// advertise answers the first request of a push or fetch with the refs.
func (s *Server) advertise(w http.ResponseWriter, r *http.Request, app string) {
	service := r.URL.Query().Get("service")
	if !services[service] {
		http.Error(w, "dumb HTTP git is not supported; use git 1.6.6 or newer", http.StatusForbidden)
		return
	}
	cmd := s.gitCommand(r.Context(), app, service, "--stateless-rpc", "--advertise-refs", s.RepoPath(app))
	cmd.Env = append(cmd.Env, gitProtocolEnv(r)...)
	out, err := cmd.Output()
	if err != nil {
		s.logger.Error("advertise refs", "app", app, "error", err)
		http.Error(w, "could not read the repository", http.StatusInternalServerError)
		return
	}
	noCache(w)
	w.Header().Set("Content-Type", "application/x-"+service+"-advertisement")
	if r.Header.Get("Git-Protocol") == "" {
		io.WriteString(w, pktLine("# service="+service+"\n")+"0000")
	}
	w.Write(out)
}

// serviceRPC runs one stateless receive-pack or upload-pack exchange,
// flushing git's output to the client as it comes so build output is live.
func (s *Server) serviceRPC(w http.ResponseWriter, r *http.Request, app string, id *paas.Identity, service string) {
	body, err := requestBody(r, s.opts.MaxPushBytes)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	defer body.Close()
	cmd := s.gitCommand(r.Context(), app, service, "--stateless-rpc", s.RepoPath(app))
	cmd.Env = append(cmd.Env, gitProtocolEnv(r)...)
	if service == "git-receive-pack" {
		pushID, env := s.registerPush(app, pusherOf(r, id))
		defer s.unregisterPush(pushID)
		cmd.Env = append(cmd.Env, env...)
	}
	cmd.Stdin = body
	noCache(w)
	w.Header().Set("Content-Type", "application/x-"+service+"-result")
	fw := &flushWriter{w: w, rc: http.NewResponseController(w)}
	cmd.Stdout = fw
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	if err := cmd.Run(); err != nil && r.Context().Err() == nil {
		s.logger.Warn("git service", "app", app, "service", service, "error", err, "stderr", stderr.String())
	}
}

// gitCommand runs a git subcommand in its own process group, so that a
// client that goes away takes the hook and its build down with it.
func (s *Server) gitCommand(ctx context.Context, app, service string, args ...string) *exec.Cmd {
	sub := strings.TrimPrefix(service, "git-")
	full := append([]string{"-c", "core.hooksPath=" + s.hooksDir, sub}, args...)
	cmd := exec.CommandContext(ctx, s.opts.Git, full...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "PAAS_APP="+app)
	return cmd
}

func gitProtocolEnv(r *http.Request) []string {
	v := r.Header.Get("Git-Protocol")
	if v == "" || len(v) > 256 || strings.ContainsAny(v, "\x00\n\r") {
		return nil
	}
	return []string{"GIT_PROTOCOL=" + v}
}

func requestBody(r *http.Request, max int64) (io.ReadCloser, error) {
	body := http.MaxBytesReader(nil, r.Body, max)
	if r.Header.Get("Content-Encoding") != "gzip" {
		return body, nil
	}
	zr, err := gzip.NewReader(body)
	if err != nil {
		return nil, fmt.Errorf("bad gzip request body: %w", err)
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(zr, max), body}, nil
}

func noCache(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-cache, max-age=0, must-revalidate")
	w.Header().Set("Expires", "Fri, 01 Jan 1980 00:00:00 GMT")
	w.Header().Set("Pragma", "no-cache")
}

// pktLine frames s in git's pkt-line format.
func pktLine(s string) string { return fmt.Sprintf("%04x%s", len(s)+4, s) }

// flushWriter flushes after every write so side-band progress reaches the
// pusher as soon as git emits it.
type flushWriter struct {
	w  io.Writer
	rc *http.ResponseController
}

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		if ferr := f.rc.Flush(); ferr != nil && !errors.Is(ferr, http.ErrNotSupported) {
			err = ferr
		}
	}
	return n, err
}

// limitedWriter keeps the first n bytes and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
