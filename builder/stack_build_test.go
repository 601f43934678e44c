package builder

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// The integration tests of the stacks build on the stack images that
// deploy/images.sh makes, which take a minute or two to build; they skip
// when an image is missing, except under CI=true.

// requireStackImage skips the test when the image of stack is missing.
func requireStackImage(t *testing.T, b *Builder, stack string) {
	t.Helper()
	if _, err := b.cli.ImageInspect(context.Background(), StackImage(stack)); err != nil {
		skipOrFail(t, "the %s stack image %s is missing (%v); run deploy/images.sh to make it", stack, StackImage(stack), err)
	}
}

// docker runs the docker CLI and returns its trimmed standard output.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("docker", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// runApp starts image with the docker CLI, PORT set to a free port that is
// published on loopback only, and the user the image names. It returns the
// address on which the app serves, once it answers, and the container ID.
func runApp(t *testing.T, image string, env ...string) (addr, id string) {
	t.Helper()
	requireTool(t, "docker")
	port := freePort(t)
	args := []string{"run", "-d", "-e", "PORT=" + port, "-p", "127.0.0.1:" + port + ":" + port}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	id = docker(t, append(args, image)...)
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", id).Run() })
	addr = "127.0.0.1:" + port
	waitHTTP(t, id, "http://"+addr+"/healthz")
	return addr, id
}

// waitHTTP waits until url answers 200. Published ports accept connections
// before the app listens, so it asks for a page rather than dialling.
func waitHTTP(t *testing.T, id, url string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			logs, _ := exec.Command("docker", "logs", id).CombinedOutput()
			t.Fatalf("%s does not answer (%v); the container's log:\n%s", url, err, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkProcessUIDs checks that every process of the container runs as uid.
func checkProcessUIDs(t *testing.T, id, uid string) {
	t.Helper()
	lines := strings.Split(docker(t, "top", id, "-eo", "uid,pid,args"), "\n")
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) == 0 || f[0] != uid {
			t.Errorf("process %q does not run as uid %s; all processes: %q", l, uid, lines)
		}
	}
}

// stopGracefully stops the container as Nomad does, SIGTERM then SIGKILL
// after a grace period, and checks that SIGTERM was enough.
func stopGracefully(t *testing.T, id string) {
	t.Helper()
	start := time.Now()
	docker(t, "stop", "-t", "30", id)
	code := docker(t, "inspect", "-f", "{{.State.ExitCode}}", id)
	t.Logf("docker stop took %v; exit code %s", time.Since(start).Round(time.Millisecond), code)
	// 143 is death by SIGTERM (npm reports it so after passing it on);
	// 137 would be SIGKILL: the signal was lost.
	if code != "0" && code != "143" {
		t.Errorf("exit code after SIGTERM = %s; want 0 or 143\n%s", code, docker(t, "logs", id))
	}
}

// TestStackImages checks what deploy/images.sh promises of each stack
// image: a base image that runs as app, uid 10000, in /app, which it owns.
func TestStackImages(t *testing.T) {
	b := newTestBuilder(t)
	for _, stack := range Stacks() {
		t.Run(stack, func(t *testing.T) {
			requireStackImage(t, b, stack)
			img, err := b.cli.ImageInspect(context.Background(), StackImage(stack))
			if err != nil {
				t.Fatal(err)
			}
			if img.Config.User != "app" || img.Config.WorkingDir != "/app" || img.Config.Labels[BaseImageLabel] != "true" {
				t.Errorf("user %q, workdir %q, labels %v; want app, /app and %s=true", img.Config.User, img.Config.WorkingDir, img.Config.Labels, BaseImageLabel)
			}
			got := docker(t, "run", "--rm", StackImage(stack), "sh", "-c", "id -u; id -g; stat -c %u /app")
			if want := "10000\n10000\n10000"; got != want {
				t.Errorf("uid, gid and the owner of /app = %q; want %q", got, want)
			}
		})
	}
}

// TestStackSamples builds each sample app without a Dockerfile, runs it as
// the platform would, and checks that it serves, as uid 10000, and stops on
// SIGTERM.
func TestStackSamples(t *testing.T) {
	b := newTestBuilder(t)
	ctx := context.Background()
	for _, stack := range Stacks() {
		t.Run(stack, func(t *testing.T) {
			requireStackImage(t, b, stack)
			bare, commit := newRepoFromDir(t, sampleApps[stack])
			tag := testRepository(t, b, "stack-"+stack) + ":build-1"
			var log strings.Builder
			start := time.Now()
			if _, err := b.Build(ctx, Request{RepoPath: bare, Commit: commit, Tag: tag}, &log); err != nil {
				t.Fatalf("Build: %v\n%s", err, log.String())
			}
			t.Logf("build took %v", time.Since(start).Round(time.Millisecond))
			checkLogHas(t, log.String(),
				fmt.Sprintf("-----> No Dockerfile: building with the %s stack (%s)\n", stack, StackImage(stack)),
				"Step 1/", " : FROM "+StackImage(stack)+"\n",
				"Successfully tagged "+tag+"\n")

			img, err := b.cli.ImageInspect(ctx, tag)
			if err != nil {
				t.Fatal(err)
			}
			if img.Config.Labels[StackLabel] != stack || img.Config.Labels[BaseImageLabel] != "false" || img.Config.User != "app" {
				t.Errorf("labels %v, user %q; want %s=%s, %s=false, user app", img.Config.Labels, img.Config.User, StackLabel, stack, BaseImageLabel)
			}

			greeting := "hi from the " + stack + " test"
			addr, id := runApp(t, tag, "GREETING="+greeting)
			body := httpGet(t, "http://"+addr+"/")
			want := []string{"hello from " + stack}
			if stack != StackStatic {
				want = append(want, "greeting: "+greeting)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("GET / = %q; want it to contain %q", body, w)
				}
			}
			if got := httpGet(t, "http://"+addr+"/healthz"); strings.TrimSpace(got) != "ok" {
				t.Errorf("GET /healthz = %q; want ok", got)
			}
			checkProcessUIDs(t, id, "10000")
			stopGracefully(t, id)
		})
	}
}

// sampleSources maps each stack with a dependency step to the step that
// must come from the cache when only the source changed, and the source
// file that the test changes.
var sampleSources = map[string]struct{ depStep, source, change string }{
	StackGo:     {"RUN go mod download", "main.go", "\n// changed\n"},
	StackNode:   {"COPY --chown=app:app package.json ./", "server.js", "\n// changed\n"},
	StackPython: {"COPY --chown=app:app requirements.txt ./", "app.py", "\n# changed\n"},
}

// TestStackDependencyCache builds a sample app, then the same app with one
// source file changed: the dependency step must come from the build cache,
// and the source must not.
func TestStackDependencyCache(t *testing.T) {
	b := newTestBuilder(t)
	ctx := context.Background()
	for stack, s := range sampleSources {
		t.Run(stack, func(t *testing.T) {
			requireStackImage(t, b, stack)
			repo := testRepository(t, b, "cache-"+stack)
			files := dirFiles(t, sampleApps[stack])
			bare, commit := newRepo(t, files)
			if _, err := b.Build(ctx, Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-1"}, nil); err != nil {
				t.Fatal(err)
			}
			f := files[s.source]
			f.Body += s.change
			files[s.source] = f
			bare, commit = newRepo(t, files)
			var log strings.Builder
			if _, err := b.Build(ctx, Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-2"}, &log); err != nil {
				t.Fatalf("Build: %v\n%s", err, log.String())
			}
			cached := regexp.MustCompile(`(?m)^Step \d+/\d+ : ` + regexp.QuoteMeta(s.depStep) + "\n ---> Using cache\n")
			if !cached.MatchString(log.String()) {
				t.Errorf("the dependency step %q did not come from the cache:\n%s", s.depStep, log.String())
			}
			source := regexp.MustCompile(`(?m)^Step \d+/\d+ : COPY --chown=app:app \. \.\n ---> Using cache\n`)
			if source.MatchString(log.String()) {
				t.Errorf("the changed source came from the cache:\n%s", log.String())
			}
		})
	}
}

// TestStackVendoredDependencies builds, for each stack with dependencies,
// an app that uses one from its repository, as offline builds require: Go's
// vendor/, a committed node_modules/, a vendor/ of Python wheels.
func TestStackVendoredDependencies(t *testing.T) {
	b := newTestBuilder(t)
	tests := []struct {
		stack string
		files map[string]file
	}{
		{StackGo, map[string]file{
			"go.mod":                            {Body: "module example.com/app\n\ngo 1.19\n\nrequire example.com/greet v1.0.0\n"},
			"vendor/modules.txt":                {Body: "# example.com/greet v1.0.0\n## explicit\nexample.com/greet\n"},
			"vendor/example.com/greet/greet.go": {Body: "package greet\n\n// Hello greets.\nfunc Hello() string { return \"hello from a vendored module\" }\n"},
			"main.go":                           {Body: "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n"},
		}},
		{StackNode, map[string]file{
			"package.json":                    {Body: `{"name": "app", "dependencies": {"greet": "1.0.0"}}`},
			"node_modules/greet/package.json": {Body: `{"name": "greet", "version": "1.0.0", "main": "index.js"}`},
			"node_modules/greet/index.js":     {Body: "module.exports = () => 'hello from a committed node module';\n"},
			"index.js":                        {Body: "console.log(require('greet')());\n"},
		}},
		{StackPython, map[string]file{
			"requirements.txt":                  {Body: "greet==1.0\n"},
			"vendor/greet-1.0-py3-none-any.whl": {Body: pythonWheel(t, "greet", "1.0", "def hello():\n    return 'hello from a vendored wheel'\n")},
			"app.py":                            {Body: "import greet\nprint(greet.hello())\n"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			requireStackImage(t, b, tt.stack)
			bare, commit := newRepo(t, tt.files)
			tag := testRepository(t, b, "vendored-"+tt.stack) + ":build-1"
			var log strings.Builder
			if _, err := b.Build(context.Background(), Request{RepoPath: bare, Commit: commit, Tag: tag}, &log); err != nil {
				t.Fatalf("Build: %v\n%s", err, log.String())
			}
			got := docker(t, "run", "--rm", tag)
			if !strings.HasPrefix(got, "hello from a ") {
				t.Errorf("the app printed %q; want its dependency's greeting\n%s", got, log.String())
			}
		})
	}
}

// pythonWheel makes a pure-Python wheel of one module.
func pythonWheel(t *testing.T, name, version, module string) string {
	t.Helper()
	info := name + "-" + version + ".dist-info/"
	files := []struct{ name, body string }{
		{name + ".py", module},
		{info + "METADATA", "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"},
		{info + "WHEEL", "Wheel-Version: 1.0\nGenerator: paas-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
		{info + "RECORD", name + ".py,,\n" + info + "METADATA,,\n" + info + "WHEEL,,\n" + info + "RECORD,,\n"},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestStackBuildCommand names the stack in the request, which wins over the
// commit's (broken) Dockerfile, and runs a build command whose output the
// site serves.
func TestStackBuildCommand(t *testing.T) {
	b := newTestBuilder(t)
	requireStackImage(t, b, StackStatic)
	bare, commit := newRepo(t, map[string]file{
		"Dockerfile":        {Body: "FROM paas-test/no-such-image:1\n"},
		"public/index.html": {Body: "hello from static\n"},
		"public/healthz":    {Body: "ok\n"},
	})
	tag := testRepository(t, b, "stack-command") + ":build-1"
	req := Request{RepoPath: bare, Commit: commit, Tag: tag, Stack: StackStatic,
		BuildCommand: []string{"/bin/sh", "-c", `echo "built as $(id -u)" > public/built.txt`}}
	var log strings.Builder
	if _, err := b.Build(context.Background(), req, &log); err != nil {
		t.Fatalf("Build: %v\n%s", err, log.String())
	}
	checkLogHas(t, log.String(), "-----> Building with the static stack (paas/stack-static:1), as build.stack says\n")
	addr, _ := runApp(t, tag)
	if got := httpGet(t, "http://"+addr+"/built.txt"); got != "built as 10000\n" {
		t.Errorf("GET /built.txt = %q; want the build command's output", got)
	}
}

// TestStackBuildFailure checks the error of a stack build whose app does not
// compile.
func TestStackBuildFailure(t *testing.T) {
	b := newTestBuilder(t)
	requireStackImage(t, b, StackGo)
	bare, commit := newRepo(t, map[string]file{
		"go.mod":  {Body: "module example.com/broken\n\ngo 1.19\n"},
		"main.go": {Body: "package main\n\nfunc main() { undefinedFunction() }\n"},
	})
	repo := testRepository(t, b, "stack-broken")
	var log strings.Builder
	_, err := b.Build(context.Background(), Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-1"}, &log)
	t.Logf("error: %v", err)
	checkUserError(t, err, paas.EINVALID,
		"docker build failed at step ", "(RUN go build -o /app/bin/web .)",
		"undefined: undefinedFunction",
		"fix the app (or build.command in app.yml) and push again; the go stack built it with a generated Dockerfile")
	checkNoTags(t, b, repo)
}

func TestCheckStackImageMissing(t *testing.T) {
	b := newTestBuilder(t)
	err := b.checkStackImage(context.Background(), "no-such-test-stack")
	checkUserError(t, err, paas.EUNAVAILABLE, "the no-such-test-stack stack cannot build yet: its base image paas/stack-no-such-test-stack:1 is not on this build host", "deploy/images.sh")
}
