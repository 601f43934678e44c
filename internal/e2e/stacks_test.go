package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestStackApps pushes each sample app that has no Dockerfile and checks
// that it is built with its stack and served.
func TestStackApps(t *testing.T) {
	s := newTestStack(t)
	login(t, s)
	for _, stack := range []string{"go", "node", "python", "static"} {
		t.Run(stack, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), stack)
			copyDir(t, filepath.Join("../../testdata/apps", stack), dir)
			s.mustGit(dir, "init", "-q", "-b", "main")
			s.mustGit(dir, "add", ".")
			s.mustGit(dir, "commit", "-q", "-m", "sample")
			app := "stack-" + stack
			s.mustPaas(dir, "apps:create", app)
			if stack != "static" {
				s.mustPaas(dir, "config:set", "GREETING=from-config")
			}
			out := s.mustGit(dir, "push", "paas", "main")
			if !strings.Contains(out, "building with the "+stack+" stack") || !strings.Contains(out, "Released v1") {
				t.Fatalf("push of the %s sample:\n%s", stack, out)
			}
			serves(t, s, app, "hello from "+stack)
			if stack != "static" {
				serves(t, s, app, "from-config")
			}
		})
	}
}
