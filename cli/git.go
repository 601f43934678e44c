package cli

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// gitRepo runs the real git CLI in a directory, so that remotes are read
// and written exactly as git itself would.
type gitRepo struct{ dir string }

// run runs git with args and returns its trimmed standard output.
func (g gitRepo) run(ctx context.Context, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = g.dir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", args[0], msg)
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// isRepo reports whether the directory is inside a git work tree. Without
// git installed, it is not.
func (g gitRepo) isRepo(ctx context.Context) bool {
	_, err := g.run(ctx, "rev-parse", "--git-dir")
	return err == nil
}

// remoteURL returns the URL of the named remote and whether it exists.
// Outside a repository, or without git, no remote exists.
func (g gitRepo) remoteURL(ctx context.Context, name string) (string, bool, error) {
	list, err := g.run(ctx, "remote")
	if err != nil || !slices.Contains(strings.Split(list, "\n"), name) {
		return "", false, nil
	}
	u, err := g.run(ctx, "remote", "get-url", name)
	return u, err == nil, err
}

// setRemote points the named remote at url, adding it when missing, and
// reports whether it was added.
func (g gitRepo) setRemote(ctx context.Context, name, url string) (bool, error) {
	_, exists, err := g.remoteURL(ctx, name)
	if err != nil {
		return false, err
	}
	if exists {
		_, err = g.run(ctx, "remote", "set-url", name, url)
		return false, err
	}
	_, err = g.run(ctx, "remote", "add", name, url)
	return err == nil, err
}

// removeRemote deletes the named remote.
func (g gitRepo) removeRemote(ctx context.Context, name string) error {
	_, err := g.run(ctx, "remote", "remove", name)
	return err
}
