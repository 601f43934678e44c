package builder

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// file is one entry of a test repository: a regular file (Mode 0644 or
// 0755) with Body, or a symlink to Link.
type file struct {
	Body string
	Mode os.FileMode
	Link string
}

// requireTool skips the test when the command-line tool is missing, except
// under CI=true, where it fails.
func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		skipOrFail(t, "%s is not installed (%v); install it to run this test", name, err)
	}
}

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// runGit runs the git CLI in dir and returns its trimmed standard output.
func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_AUTHOR_DATE=2024-05-01T12:00:00Z", "GIT_COMMITTER_DATE=2024-05-01T12:00:00Z",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newRepo commits files in a work tree, pushes the commit to a new bare
// repository the way a user's git push would, and returns the bare
// repository's path and the commit hash. Each submodule path becomes a
// gitlink entry.
func newRepo(t *testing.T, files map[string]file, submodules ...string) (bare, commit string) {
	t.Helper()
	requireTool(t, "git")
	work := t.TempDir()
	for name, f := range files {
		writeFile(t, filepath.Join(work, name), f)
	}
	runGit(t, work, "init", "-q", "-b", "main")
	runGit(t, work, "add", "-A")
	for _, sub := range submodules {
		runGit(t, work, "update-index", "--add", "--cacheinfo", "160000,1234567890123456789012345678901234567890,"+sub)
	}
	runGit(t, work, "commit", "-q", "-m", "test commit")
	bare = t.TempDir()
	runGit(t, bare, "init", "-q", "--bare")
	runGit(t, work, "push", "-q", bare, "main")
	return bare, runGit(t, work, "rev-parse", "HEAD")
}

// newRepoFromDir is newRepo with the files of dir, such as a sample app.
func newRepoFromDir(t *testing.T, dir string) (bare, commit string) {
	t.Helper()
	return newRepo(t, dirFiles(t, dir))
}

// dirFiles reads the files of dir, with their modes, for newRepo.
func dirFiles(t *testing.T, dir string) map[string]file {
	t.Helper()
	files := map[string]file{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[rel] = file{Body: string(body), Mode: info.Mode().Perm()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func writeFile(t *testing.T, name string, f file) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if f.Link != "" {
		if err := os.Symlink(f.Link, name); err != nil {
			t.Fatal(err)
		}
		return
	}
	mode := f.Mode
	if mode == 0 {
		mode = 0o644
	}
	if err := os.WriteFile(name, []byte(f.Body), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is masked by the umask; git only keeps the x bit.
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
}
