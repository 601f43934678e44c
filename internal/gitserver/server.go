// Package gitserver serves app repositories over git's smart-HTTP protocol.
//
// Pushes are received by the real `git receive-pack`, run per request in
// stateless-RPC mode. A pre-receive hook hands the pushed refs back to this
// process, which builds and releases them while the hook relays the output to
// the pusher as "remote:" lines. A failing build makes the hook fail, so git
// rejects the push and the branch keeps pointing at the last good commit.
package gitserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gitpaas/paas"
)

// DefaultMaxPushBytes bounds the pack a single push may upload.
const DefaultMaxPushBytes = 512 << 20

// Authenticator checks the token a git client sent as the basic-auth
// password, and whether its holder may use an app's repository.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*paas.Identity, error)
	Authorize(ctx context.Context, id *paas.Identity, app string, need paas.Permission) error
}

// What a push and a fetch need: a push deploys.
var (
	PushPermission  = paas.Permission{Scope: paas.ScopeDeploy, Role: paas.RoleDeployer}
	FetchPermission = paas.Permission{Scope: paas.ScopeRead, Role: paas.RoleViewer}
)

// Auditor records pushes in the audit log, refused ones too. err is nil
// for a push that was released, else why it was refused or failed.
type Auditor interface {
	RecordPush(ctx context.Context, e paas.AuditEntry, err error)
}

// AppFinder tells whether an app exists.
type AppFinder interface {
	GetApp(ctx context.Context, name string) (*paas.App, error)
}

// PushHandler builds and releases a push. Output written to out reaches the
// pusher live. A non-nil error rejects the push; its message is shown.
type PushHandler interface {
	HandlePush(ctx context.Context, p Push, out io.Writer) error
}

// Push is one `git push` to an app's repository, seen from the pre-receive
// hook: the objects are stored, the refs not yet moved.
type Push struct {
	App      string
	User     *paas.User
	RepoPath string
	Updates  []RefUpdate
}

// RefUpdate is one ref a push wants to move from Old to New. An all-zero
// hash means the ref is being created (Old) or deleted (New).
type RefUpdate struct {
	Old, New, Ref string
}

// Options configure a Server.
type Options struct {
	// ReposDir holds one bare repository per app, named <app>.git.
	ReposDir string
	// Git is the git executable; default "git".
	Git string
	// HookCommand is the program git runs as the pre-receive hook, with
	// HookArgs. It must speak RunHook's protocol (paasd git-hook does).
	HookCommand string
	HookArgs    []string
	// HookURL is where the hook reaches this server's HookHandler, e.g.
	// http://127.0.0.1:5050/internal/git/hooks.
	HookURL      string
	MaxPushBytes int64
}

// Validate reports whether the options can run a server.
func (o Options) Validate() error {
	switch {
	case o.ReposDir == "":
		return errors.New("gitserver: ReposDir is required")
	case o.HookCommand == "":
		return errors.New("gitserver: HookCommand is required")
	case o.HookURL == "":
		return errors.New("gitserver: HookURL is required")
	}
	return nil
}

// Server is the git endpoint: an http.Handler for /git/<app>.git/… and the
// internal hook endpoint.
type Server struct {
	// Audit, when set, records every push.
	Audit Auditor

	opts     Options
	auth     Authenticator
	apps     AppFinder
	pushes   PushHandler
	logger   *slog.Logger
	hooksDir string

	mu      sync.Mutex
	pending map[string]*pendingPush // by push id
}

// New returns a Server. It writes the pre-receive hook script into a
// directory under ReposDir that every receive-pack uses via core.hooksPath,
// so repositories carry no hooks of their own.
func New(opts Options, auth Authenticator, apps AppFinder, pushes PushHandler, logger *slog.Logger) (*Server, error) {
	if opts.Git == "" {
		opts.Git = "git"
	}
	if opts.MaxPushBytes == 0 {
		opts.MaxPushBytes = DefaultMaxPushBytes
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, auth: auth, apps: apps, pushes: pushes, logger: logger,
		hooksDir: filepath.Join(opts.ReposDir, ".hooks"), pending: map[string]*pendingPush{}}
	if err := s.writeHooks(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) writeHooks() error {
	if err := os.MkdirAll(s.hooksDir, 0o755); err != nil {
		return fmt.Errorf("create hooks dir: %w", err)
	}
	args := append([]string{s.opts.HookCommand}, s.opts.HookArgs...)
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	script := "#!/bin/sh\n# Written by paasd: hands the push to the platform and relays its build.\nexec " +
		strings.Join(args, " ") + "\n"
	path := filepath.Join(s.hooksDir, "pre-receive")
	if err := os.WriteFile(path+".tmp", []byte(script), 0o755); err != nil {
		return fmt.Errorf("write pre-receive hook: %w", err)
	}
	return os.Rename(path+".tmp", path)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// RepoPath returns the bare repository of app.
func (s *Server) RepoPath(app string) string {
	return filepath.Join(s.opts.ReposDir, app+".git")
}
