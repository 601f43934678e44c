package gitserver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
)

// CreateRepo makes the bare repository of a new app.
func (s *Server) CreateRepo(ctx context.Context, app string) error {
	path := s.RepoPath(app)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("repository of %s already exists", app)
	}
	cmd := exec.CommandContext(ctx, s.opts.Git, "init", "--quiet", "--bare", "--initial-branch=main", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(path)
		return fmt.Errorf("git init %s: %w: %s", app, err, out)
	}
	// Reject non-fast-forward-breaking garbage early and keep pushes atomic.
	for _, kv := range [][2]string{
		{"receive.fsckObjects", "true"},
		{"receive.denyDeletes", "true"},
		{"gc.auto", "0"},
	} {
		cmd := exec.CommandContext(ctx, s.opts.Git, "--git-dir", path, "config", kv[0], kv[1])
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(path)
			return fmt.Errorf("configure repository of %s: %w: %s", app, err, out)
		}
	}
	return nil
}

// DeleteRepo removes an app's repository. A missing repository is not an
// error, so a half-finished delete can be retried.
func (s *Server) DeleteRepo(app string) error {
	if err := os.RemoveAll(s.RepoPath(app)); err != nil {
		return fmt.Errorf("remove repository of %s: %w", app, err)
	}
	return nil
}
