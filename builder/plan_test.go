package builder

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitpaas/paas"
)

// planCommit opens commit and plans its build as Build does.
func planCommit(t *testing.T, bare, commit string, req Request) (*source, error) {
	t.Helper()
	explicit := req.Dockerfile != ""
	req.RepoPath, req.Commit, req.Tag = bare, commit, "paas-test/plan:build-1"
	if err := req.Validate(); err != nil {
		return nil, err
	}
	req.canonicalize()
	src, err := openCommit(bare, commit)
	if err != nil {
		return nil, err
	}
	return src, src.plan(req, explicit)
}

func TestPlan(t *testing.T) {
	const dockerfile = "FROM scratch\n"
	tests := []struct {
		name      string
		files     map[string]file
		req       Request
		wantStack string // "" means the commit's own Dockerfile
	}{
		{"Dockerfile wins over detection", map[string]file{"Dockerfile": {Body: dockerfile}, "go.mod": {Body: "module x\n"}}, Request{}, ""},
		{"no Dockerfile", map[string]file{"go.mod": {Body: "module x\n"}, "main.go": {Body: "package main"}}, Request{}, StackGo},
		{"Dockerfile is a directory", map[string]file{"Dockerfile/x": {Body: ""}, "index.html": {Body: ""}}, Request{}, StackStatic},
		{"stack wins over the Dockerfile", map[string]file{"Dockerfile": {Body: dockerfile}, "index.html": {Body: ""}}, Request{Stack: StackStatic}, StackStatic},
		{"stack wins over detection", map[string]file{"go.mod": {Body: "module x\n"}, "index.html": {Body: ""}}, Request{Stack: StackStatic}, StackStatic},
		{"named Dockerfile", map[string]file{"docker/web": {Body: dockerfile}, "go.mod": {Body: "module x\n"}}, Request{Dockerfile: "docker/web"}, ""},
		{"Dockerfile named as the default", map[string]file{"Dockerfile": {Body: dockerfile}}, Request{Dockerfile: "Dockerfile"}, ""},
		{"build command for a stack", map[string]file{"index.html": {Body: ""}}, Request{BuildCommand: []string{"true"}}, StackStatic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare, commit := newRepo(t, tt.files)
			src, err := planCommit(t, bare, commit, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			switch g := src.generated; {
			case tt.wantStack == "" && g != nil:
				t.Errorf("built with the %s stack; want the commit's Dockerfile", g.stack)
			case tt.wantStack == "" && string(src.dockerfile) != dockerfile:
				t.Errorf("Dockerfile = %q; want %q", src.dockerfile, dockerfile)
			case tt.wantStack != "" && (g == nil || g.stack != tt.wantStack):
				t.Errorf("generated = %+v; want the %s stack", g, tt.wantStack)
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]file
		req   Request
		want  []string
	}{
		{
			name:  "no Dockerfile and no stack",
			files: map[string]file{"README.md": {Body: "x"}},
			want:  []string{"no Dockerfile and no recognised stack in commit ", "add a Dockerfile, or an app.yml with build.stack (go, node, python, static)"},
		},
		{
			name:  "named Dockerfile missing",
			files: map[string]file{"go.mod": {Body: "module x\n"}},
			req:   Request{Dockerfile: "Dockerfile"},
			want:  []string{"no Dockerfile found at the root of commit"},
		},
		{
			name:  "build command with the commit's Dockerfile",
			files: map[string]file{"Dockerfile": {Body: "FROM scratch\n"}},
			req:   Request{BuildCommand: []string{"make"}},
			want:  []string{"build.command is set, but commit ", "is built with its own Dockerfile (Dockerfile)", "RUN step"},
		},
		{
			name:  "stack and Dockerfile",
			files: map[string]file{"Dockerfile": {Body: "FROM scratch\n"}},
			req:   Request{Stack: StackGo, Dockerfile: "Dockerfile"},
			want:  []string{"names both a Dockerfile (Dockerfile) and a stack (go)"},
		},
		{
			name:  "unknown stack",
			files: map[string]file{"index.html": {Body: ""}},
			req:   Request{Stack: "java"},
			want:  []string{`unknown stack "java"`},
		},
		{
			name:  "empty build command",
			files: map[string]file{"index.html": {Body: ""}},
			req:   Request{BuildCommand: []string{""}},
			want:  []string{"the build command has no program"},
		},
		{
			name:  "stack the commit cannot use",
			files: map[string]file{"go.mod": {Body: "module x\n\nrequire a/b v1.0.0\n"}},
			want:  []string{"requires other modules", "go mod vendor"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare, commit := newRepo(t, tt.files)
			_, err := planCommit(t, bare, commit, tt.req)
			checkUserError(t, err, paas.EINVALID, tt.want...)
		})
	}
}

func TestWriteContextGenerated(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]file
		wantIgnore string
		wantName   string
	}{
		{
			name:       "no .dockerignore",
			files:      map[string]file{"index.html": {Body: "hi"}},
			wantIgnore: ".dockerignore\n.paas.Dockerfile\n",
			wantName:   ".paas.Dockerfile",
		},
		{
			name:       "the commit's .dockerignore",
			files:      map[string]file{"index.html": {Body: "hi"}, ".dockerignore": {Body: "*.md"}},
			wantIgnore: "*.md\n.paas.Dockerfile\n",
			wantName:   ".paas.Dockerfile",
		},
		{
			name:       "the commit's executable .dockerignore",
			files:      map[string]file{"index.html": {Body: "hi"}, ".dockerignore": {Body: "x\n", Mode: 0o755}},
			wantIgnore: "x\n.paas.Dockerfile\n",
			wantName:   ".paas.Dockerfile",
		},
		{
			name:       "the commit has a file of the name",
			files:      map[string]file{"index.html": {Body: "hi"}, ".paas.Dockerfile": {Body: "FROM scratch\n"}},
			wantIgnore: ".dockerignore\n.paas.Dockerfile~\n",
			wantName:   ".paas.Dockerfile~",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare, commit := newRepo(t, tt.files)
			src, err := planCommit(t, bare, commit, Request{})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := writeContext(context.Background(), &buf, src, DefaultMaxContextBytes); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, e := range readTar(t, &buf, src.commit.Committer.When) {
				got[e.Name] = e.Body
			}
			want := map[string]string{
				".dockerignore": tt.wantIgnore,
				tt.wantName:     string(src.generated.content),
				"index.html":    "hi",
			}
			for name, body := range want {
				if got[name] != body {
					t.Errorf("%s = %q; want %q", name, got[name], body)
				}
			}
			if !strings.HasPrefix(got[tt.wantName], "# Generated by paas: commit "+commit[:7]) {
				t.Errorf("%s does not hold the generated Dockerfile:\n%s", tt.wantName, got[tt.wantName])
			}
			for name := range tt.files {
				if _, ok := got[name]; !ok {
					t.Errorf("the commit's %s is not in the context", name)
				}
			}
		})
	}
}

// TestWriteContextGeneratedLimit checks that the generated files count
// against the context size limit.
func TestWriteContextGeneratedLimit(t *testing.T) {
	bare, commit := newRepo(t, map[string]file{"index.html": {Body: "hi"}})
	src, err := planCommit(t, bare, commit, Request{})
	if err != nil {
		t.Fatal(err)
	}
	err = writeContext(context.Background(), io.Discard, src, 3*tarHeaderBytes)
	checkUserError(t, err, paas.EINVALID, "larger than the limit")
}

// TestWriteContextGeneratedTarOrder checks that the generated Dockerfile
// comes after the commit's files.
func TestWriteContextGeneratedTarOrder(t *testing.T) {
	bare, commit := newRepo(t, map[string]file{"index.html": {Body: "hi"}, "z/last.txt": {Body: "z"}})
	src, err := planCommit(t, bare, commit, Request{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeContext(context.Background(), &buf, src, DefaultMaxContextBytes); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range readTar(t, &buf, src.commit.Committer.When) {
		names = append(names, e.Name)
	}
	want := []string{"index.html", "z/", "z/last.txt", ".dockerignore", ".paas.Dockerfile"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}
