package builder

import (
	"context"
	"strings"
	"testing"
)

// TestBuildHonoursDockerignore checks that a file .dockerignore lists never
// reaches the image, while the Dockerfile it also matches still builds.
func TestBuildHonoursDockerignore(t *testing.T) {
	b := newTestBuilder(t)
	ensureBusybox(t, b)
	bare, commit := newRepo(t, map[string]file{
		"Dockerfile":    {Body: "FROM " + busyboxImage + "\nCOPY . /app\nRUN test -e /app/main.txt && test ! -e /app/secret.txt && test ! -e /app/cache/x\n"},
		".dockerignore": {Body: "secret.txt\ncache\nDockerfile\n"},
		"main.txt":      {Body: "kept"},
		"secret.txt":    {Body: "hunter2"},
		"cache/x":       {Body: "x"},
	})
	repo := testRepository(t, b, "ignore")
	var log strings.Builder
	if _, err := b.Build(context.Background(), Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-1"}, &log); err != nil {
		t.Fatalf("Build: %v\n%s", err, log.String())
	}
}
