package builder

import (
	"context"
	"testing"

	"github.com/gitpaas/paas"
)

// offlineBuilder returns a Builder whose Docker Engine does not exist: for
// methods that only read the repository.
func offlineBuilder(t *testing.T) *Builder {
	t.Helper()
	b, err := New(Options{DockerHost: "unix://" + t.TempDir() + "/docker.sock"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestDetectStack(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]file
		want  string
	}{
		{"go.mod", map[string]file{"go.mod": {Body: "module x\n"}, "main.go": {Body: "package main\n"}}, StackGo},
		{"package.json", map[string]file{"package.json": {Body: "{}"}}, StackNode},
		{"requirements.txt", map[string]file{"requirements.txt": {Body: ""}}, StackPython},
		{"pyproject.toml", map[string]file{"pyproject.toml": {Body: "[project]\n"}}, StackPython},
		{"index.html", map[string]file{"index.html": {Body: "<p>hi"}}, StackStatic},
		{"public/index.html", map[string]file{"public/index.html": {Body: "<p>hi"}}, StackStatic},
		{"go before node", map[string]file{"package.json": {Body: "{}"}, "go.mod": {Body: "module x\n"}}, StackGo},
		{"node before python", map[string]file{"requirements.txt": {Body: ""}, "package.json": {Body: "{}"}}, StackNode},
		{"python before static", map[string]file{"index.html": {Body: ""}, "pyproject.toml": {Body: ""}}, StackPython},
		{"a Dockerfile does not matter", map[string]file{"Dockerfile": {Body: "FROM scratch\n"}, "package.json": {Body: "{}"}}, StackNode},
		{"executable marker", map[string]file{"index.html": {Body: "", Mode: 0o755}}, StackStatic},
	}
	b := offlineBuilder(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare, commit := newRepo(t, tt.files)
			got, err := b.DetectStack(context.Background(), bare, commit)
			if err != nil || got != tt.want {
				t.Errorf("DetectStack = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDetectStackNone(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]file
	}{
		{"nothing known", map[string]file{"README.md": {Body: "# app\n"}}},
		{"markers below the root", map[string]file{"app/go.mod": {Body: "module x\n"}, "web/index.html": {Body: ""}}},
		{"marker is a directory", map[string]file{"package.json/x": {Body: "{}"}}},
		{"marker is a symlink", map[string]file{"go.mod": {Link: "mod/go.mod"}, "mod/go.mod": {Body: "module x\n"}}},
		{"public/index.html is a directory", map[string]file{"public/index.html/x": {Body: ""}}},
	}
	b := offlineBuilder(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare, commit := newRepo(t, tt.files)
			_, err := b.DetectStack(context.Background(), bare, commit)
			checkUserError(t, err, paas.EINVALID,
				"no Dockerfile and no recognised stack in commit "+commit[:7]+": add a Dockerfile, or an app.yml with build.stack (go, node, python, static)")
		})
	}
}

// TestDetectStackSubmodule checks that a submodule, which has no content in
// the repository, does not count as a marker.
func TestDetectStackSubmodule(t *testing.T) {
	bare, commit := newRepo(t, map[string]file{"README.md": {Body: "x"}}, "public/index.html", "vendor")
	_, err := offlineBuilder(t).DetectStack(context.Background(), bare, commit)
	checkUserError(t, err, paas.EINVALID, "no recognised stack")
}

func TestDetectStackSamples(t *testing.T) {
	b := offlineBuilder(t)
	for stack, dir := range sampleApps {
		t.Run(stack, func(t *testing.T) {
			bare, commit := newRepoFromDir(t, dir)
			got, err := b.DetectStack(context.Background(), bare, commit)
			if err != nil || got != stack {
				t.Errorf("DetectStack(%s) = %q, %v; want %q", dir, got, err, stack)
			}
		})
	}
}

func TestDetectStackBadCommit(t *testing.T) {
	bare, _ := newRepo(t, map[string]file{"go.mod": {Body: "module x\n"}})
	_, err := offlineBuilder(t).DetectStack(context.Background(), bare, "deadbeef")
	checkUserError(t, err, paas.EINVALID, "commit deadbeef not found")
}
