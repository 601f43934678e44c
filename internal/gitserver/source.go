package gitserver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gitpaas/paas"
)

// SourceCommit is a commit made from an uploaded source tree, not yet on
// the app's main branch.
type SourceCommit struct {
	App    string
	Commit string
	Parent string // the main branch it was made on; "" for none
}

// CommitSource records the files in dir as a commit whose parent is the
// app's main branch, without moving the branch: Publish does that once the
// commit is released, as a push's hook would.
func (s *Server) CommitSource(ctx context.Context, app string, user *paas.User, dir string) (*SourceCommit, error) {
	repo := s.RepoPath(app)
	index := filepath.Join(dir, "..", "index-"+randomHex(8))
	defer os.Remove(index)
	env := []string{"GIT_INDEX_FILE=" + index, "GIT_WORK_TREE=" + dir, "GIT_DIR=" + repo,
		"GIT_AUTHOR_NAME=" + user.Name, "GIT_AUTHOR_EMAIL=" + user.Name + "@paas",
		"GIT_COMMITTER_NAME=paas", "GIT_COMMITTER_EMAIL=paas@localhost"}
	if _, err := s.git(ctx, env, "add", "--all", "--force", "."); err != nil {
		return nil, err
	}
	tree, err := s.git(ctx, env, "write-tree")
	if err != nil {
		return nil, err
	}
	parent, _ := s.git(ctx, env, "rev-parse", "--verify", "--quiet", "refs/heads/main^{commit}")
	args := []string{"commit-tree", tree, "-m", "Deploy from a source archive uploaded by " + user.Name}
	if parent != "" {
		args = append(args, "-p", parent)
	}
	commit, err := s.git(ctx, env, args...)
	if err != nil {
		return nil, err
	}
	return &SourceCommit{App: app, Commit: commit, Parent: parent}, nil
}

// Publish moves the app's main branch to c.Commit, unless a push moved it
// since c was made.
func (s *Server) Publish(ctx context.Context, c *SourceCommit) error {
	env := []string{"GIT_DIR=" + s.RepoPath(c.App)}
	_, err := s.git(ctx, env, "update-ref", "-m", "source archive deploy", "refs/heads/main", c.Commit, c.Parent)
	if err != nil {
		return paas.Errorf(paas.ECONFLICT, "the main branch of %s moved during the build; the release is out, but git history does not show it: push again to reconcile", c.App)
	}
	return nil
}

func (s *Server) git(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.opts.Git, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(stderr))
	}
	return strings.TrimSpace(string(out)), nil
}
