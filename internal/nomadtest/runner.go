package nomadtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// runner is the paas-runner binary of this test process, built once.
var runner struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// Runner returns a static paas-runner binary (cmd/paas-runner) for the
// scheduler to mount into one-off containers. It is built once per test
// process; Main removes it.
func Runner(t testing.TB) string {
	t.Helper()
	runner.once.Do(func() {
		runner.dir, runner.err = os.MkdirTemp("", "paas-runner-")
		if runner.err != nil {
			return
		}
		path := filepath.Join(runner.dir, "paas-runner")
		cmd := exec.Command("go", "build", "-o", path, "github.com/gitpaas/paas/cmd/paas-runner")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			runner.err = fmt.Errorf("build paas-runner: %v\n%s", err, out)
			return
		}
		// Nomad's client runs as root, but the binary must be readable by
		// whatever user the image runs its command as.
		runner.err = os.Chmod(runner.dir, 0o755)
		runner.path = path
	})
	if runner.err != nil {
		t.Fatalf("nomadtest: %v", runner.err)
	}
	return runner.path
}

// removeRunner deletes the binary Runner built, if it did.
func removeRunner() {
	if runner.dir != "" {
		os.RemoveAll(runner.dir)
	}
}
