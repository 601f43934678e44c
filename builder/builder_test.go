package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/google/go-cmp/cmp"

	"github.com/gitpaas/paas"
)

const (
	helloApp  = "../testdata/apps/hello-dockerfile"
	brokenApp = "../testdata/apps/broken-dockerfile"
)

func TestBuildHello(t *testing.T) {
	b := newTestBuilder(t)
	ensureBusybox(t, b)
	ctx := context.Background()
	bare, commit := newRepoFromDir(t, helloApp)
	repo := testRepository(t, b, "hello")

	var log strings.Builder
	start := time.Now()
	req := Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-1", Labels: map[string]string{"org.gitpaas.app": "hello"}}
	id, err := b.Build(ctx, req, &log)
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, log.String())
	}
	t.Logf("first build took %v", time.Since(start))
	// The classic builder applies each label as a LABEL step of its own at
	// the end: five steps of the Dockerfile, two labels.
	checkLogHas(t, log.String(),
		"Step 1/7 : FROM paas/busybox:1.35\n",
		"Step 2/7 : COPY www/ /www/\n",
		"Step 5/7 : CMD ",
		"Step 7/7 : LABEL "+BaseImageLabel+"=false\n",
		"Successfully tagged "+req.Tag+"\n")

	img, err := b.cli.ImageInspect(ctx, req.Tag)
	if err != nil {
		t.Fatalf("inspect %s: %v", req.Tag, err)
	}
	if img.ID != id {
		t.Errorf("%s has ID %s; Build returned %s", req.Tag, img.ID, id)
	}
	wantLabels := map[string]string{"org.gitpaas.app": "hello", BaseImageLabel: "false"}
	if diff := cmp.Diff(wantLabels, img.Config.Labels); diff != "" {
		t.Errorf("image labels (-want +got):\n%s", diff)
	}

	// A second build of the same commit is all cache hits and makes the same
	// image.
	log.Reset()
	start = time.Now()
	req.Tag = repo + ":build-2"
	id2, err := b.Build(ctx, req, &log)
	if err != nil {
		t.Fatalf("second Build: %v\n%s", err, log.String())
	}
	t.Logf("warm-cache build took %v", time.Since(start))
	checkLogHas(t, log.String(), "Step 2/7 : COPY www/ /www/\n ---> Using cache\n")
	if id2 != id {
		t.Errorf("second build made %s; want the cached %s", id2, id)
	}

	bases, err := b.BaseImages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(bases, busyboxImage) || slices.Contains(bases, req.Tag) {
		t.Errorf("BaseImages() = %v; want %s in it and the app image %s not", bases, busyboxImage, req.Tag)
	}
}

// TestBuildBusyboxBase builds the busybox base image from scratch: its RUN
// step only works if the context kept busybox's executable bit.
func TestBuildBusyboxBase(t *testing.T) {
	b := newTestBuilder(t)
	tag := testRepository(t, b, "busybox") + ":1.35"
	buildBusybox(t, b, tag)
	img, err := b.cli.ImageInspect(context.Background(), tag)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Config.Labels[BaseImageLabel]; got != "true" {
		t.Errorf("label %s = %q; want true", BaseImageLabel, got)
	}
	bases, err := b.BaseImages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(bases, tag) {
		t.Errorf("BaseImages() = %v; want %s in it", bases, tag)
	}
}

func TestHelloServes(t *testing.T) {
	b := newTestBuilder(t)
	ensureBusybox(t, b)
	ctx := context.Background()
	bare, commit := newRepoFromDir(t, helloApp)
	tag := testRepository(t, b, "hello") + ":build-1"
	if _, err := b.Build(ctx, Request{RepoPath: bare, Commit: commit, Tag: tag}, io.Discard); err != nil {
		t.Fatal(err)
	}
	addr := runContainer(t, b, tag)
	for path, want := range map[string]string{"/": "Hello from paas", "/healthz": "ok"} {
		body := httpGet(t, "http://"+addr+path)
		if !strings.Contains(body, want) {
			t.Errorf("GET %s = %q; want it to contain %q", path, body, want)
		}
	}
}

// runContainer runs image on the host network with PORT set to a free port
// on loopback and returns that address once it answers.
func runContainer(t *testing.T, b *Builder, image string) string {
	t.Helper()
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	created, err := b.cli.ContainerCreate(ctx,
		&container.Config{Image: image, Env: []string{"PORT=" + port}},
		&container.HostConfig{NetworkMode: "host"}, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = b.cli.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true})
	})
	if err := b.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer on %s: %v", image, addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body)
}

func TestBuildBrokenDockerfile(t *testing.T) {
	b := newTestBuilder(t)
	ensureBusybox(t, b)
	ctx := context.Background()
	bare, commit := newRepoFromDir(t, brokenApp)
	repo := testRepository(t, b, "broken")

	var log strings.Builder
	_, err := b.Build(ctx, Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-1"}, &log)
	t.Logf("error: %v", err)
	// Three steps of the Dockerfile and the LABEL step of BaseImageLabel.
	checkUserError(t, err, paas.EINVALID,
		"docker build failed at step 2/4 (RUN echo",
		"returned a non-zero code: 1",
		"    compiling the app\n",
		"    error: main.c:3: expected ';' before '}' token\n",
		"fix the Dockerfile")
	checkLogHas(t, log.String(), "compiling the app\n", "error: main.c:3: expected ';' before '}' token\n")
	checkNoTags(t, b, repo)
}

func TestBuildDockerfileErrors(t *testing.T) {
	b := newTestBuilder(t)
	ensureBusybox(t, b)
	tests := []struct {
		name  string
		files map[string]file
		want  []string
	}{
		{
			name:  "unknown base image",
			files: map[string]file{"Dockerfile": {Body: "FROM paas-test/no-such-base:1\nCMD [\"true\"]\n"}},
			want:  []string{`Dockerfile line 1 uses the image "paas-test/no-such-base:1", which does not exist`, "nothing can be pulled", busyboxImage},
		},
		{
			name:  "unknown base image from an ARG",
			files: map[string]file{"Dockerfile": {Body: "ARG BASE=paas-test/no-such-base\nFROM ${BASE}:2\n"}},
			want:  []string{`Dockerfile line 2 uses the image "paas-test/no-such-base:2"`, "nothing can be pulled", busyboxImage},
		},
		{
			name:  "unknown image in COPY --from",
			files: map[string]file{"Dockerfile": {Body: "FROM paas/busybox:1.35\nCOPY --from=paas-test/no-such-tools:1 /bin/x /bin/x\n"}},
			want:  []string{`"paas-test/no-such-tools:1"`, "nothing can be pulled", busyboxImage},
		},
		{
			// The Dockerfile is a symlink, so only the daemon reads it: the
			// failed pull is recognised after the fact.
			name: "unknown base image seen by the daemon",
			files: map[string]file{
				"Dockerfile":       {Link: "build/Dockerfile"},
				"build/Dockerfile": {Body: "FROM paas-test/no-such-base:3\n"},
			},
			want: []string{`Dockerfile uses the image "paas-test/no-such-base:3"`, "nothing can be pulled", busyboxImage},
		},
		{
			name:  "Dockerfile syntax",
			files: map[string]file{"Dockerfile": {Body: "FROM paas/busybox:1.35\nBOGUS instruction\n"}},
			want:  []string{"docker build failed: dockerfile parse error line 2: unknown instruction: BOGUS", "fix the Dockerfile"},
		},
		{
			name:  "COPY of a missing file",
			files: map[string]file{"Dockerfile": {Body: "FROM paas/busybox:1.35\nCOPY missing.txt /\n"}},
			want:  []string{"docker build failed at step 2/3 (COPY missing.txt /)", "missing.txt"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare, commit := newRepo(t, tt.files)
			repo := testRepository(t, b, "bad")
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var log strings.Builder
			_, err := b.Build(ctx, Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-1"}, &log)
			t.Logf("error: %v", err)
			checkUserError(t, err, paas.EINVALID, tt.want...)
			checkNoTags(t, b, repo)
		})
	}
}

func TestBuildCancel(t *testing.T) {
	b := newTestBuilder(t)
	ensureBusybox(t, b)
	repo := testRepository(t, b, "cancel")
	// The marker is unique to this run, so that the containers of this build
	// can be told from everyone else's. "started 42" appears only when the
	// step runs, not in its header.
	marker := strings.TrimPrefix(repo, "paas-test/")
	bare, commit := newRepo(t, map[string]file{"Dockerfile": {Body: fmt.Sprintf(
		"FROM paas/busybox:1.35\nRUN echo \"started $((6*7))\" && sleep 300 # %s\n", marker)}})

	log := newWatchWriter("started 42")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-log.seen:
		case <-time.After(time.Minute):
		}
		cancel()
	}()
	start := time.Now()
	_, err := b.Build(ctx, Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-1"}, log)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Build = %v; want context.Canceled\n%s", err, log.String())
	}
	if d := time.Since(start); d > 45*time.Second {
		t.Errorf("Build returned after %v; want it to stop when cancelled", d)
	}
	checkNoTags(t, b, repo)
	waitNoContainers(t, b, marker)
}

// waitNoContainers waits until no container whose command holds marker is
// left: the daemon kills the step's container when the build is cancelled.
func waitNoContainers(t *testing.T, b *Builder, marker string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, err := b.cli.ContainerList(ctx, container.ListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, c := range list {
			if strings.Contains(c.Command, marker) {
				left = append(left, c.ID[:12]+" "+c.State)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("containers of the cancelled build are still there: %v", left)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestTagAndRemoveRepository(t *testing.T) {
	b := newTestBuilder(t)
	ensureBusybox(t, b)
	ctx := context.Background()
	bare, commit := newRepoFromDir(t, helloApp)
	repo := testRepository(t, b, "hello")
	sibling := testRepository(t, b, "hello")
	// A label unique to the test gives the image an ID no one else has, so
	// that its removal can be checked on a shared daemon.
	req := Request{RepoPath: bare, Commit: commit, Tag: repo + ":build-1", Labels: map[string]string{"org.gitpaas.test": repo}}
	id, err := b.Build(ctx, req, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{repo + ":v1", repo + ":v2"} {
		if err := b.Tag(ctx, id, target); err != nil {
			t.Fatalf("Tag(%s, %s): %v", id, target, err)
		}
	}
	checkUserError(t, b.Tag(ctx, id, repo+":latest"), paas.EINVALID, "latest")
	checkUserError(t, b.Tag(ctx, "paas-test/no-such-image:1", repo+":v3"), paas.ENOTFOUND, "does not exist")

	tags, err := b.repositoryTags(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(tags)
	if diff := cmp.Diff([]string{repo + ":build-1", repo + ":v1", repo + ":v2"}, tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}

	if err := b.Tag(ctx, id, sibling+":v1"); err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveRepository(ctx, repo); err != nil {
		t.Fatalf("RemoveRepository: %v", err)
	}
	checkNoTags(t, b, repo)
	if _, err := b.cli.ImageInspect(ctx, sibling+":v1"); err != nil {
		t.Errorf("the image of another repository went too: %v", err)
	}
	if err := b.RemoveRepository(ctx, sibling); err != nil {
		t.Fatalf("RemoveRepository(%s): %v", sibling, err)
	}
	if _, err := b.cli.ImageInspect(ctx, id); !isNotFound(err) {
		t.Errorf("image %s still exists after its last tag went (err %v)", id, err)
	}
	if err := b.RemoveRepository(ctx, repo); err != nil {
		t.Errorf("RemoveRepository of a repository without images = %v; want nil", err)
	}
	checkUserError(t, b.RemoveRepository(ctx, repo+":v1"), paas.EINVALID, "not a repository")
}

// checkNoTags checks that repository has no tags.
func checkNoTags(t *testing.T, b *Builder, repository string) {
	t.Helper()
	tags, err := b.repositoryTags(context.Background(), repository)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) > 0 {
		t.Errorf("%s has tags %v; want none", repository, tags)
	}
}

// TestBuildRejectsBeforeDocker checks that mistakes in the request or the
// commit are reported without asking the daemon anything: the Builder here
// points at a socket that does not exist.
func TestBuildRejectsBeforeDocker(t *testing.T) {
	b, err := New(Options{DockerHost: "unix://" + t.TempDir() + "/docker.sock", MaxContextBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	bare, commit := newRepo(t, map[string]file{
		"Dockerfile": {Body: "FROM scratch\nCOPY . /\n"},
		"big.bin":    {Body: strings.Repeat("x", 8<<10)},
	})
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"latest tag", Request{RepoPath: bare, Commit: commit, Tag: "paas/hello:latest"}, "uses the tag latest"},
		{"no tag", Request{RepoPath: bare, Commit: commit, Tag: "paas/hello"}, "has no tag"},
		{"unknown commit", Request{RepoPath: bare, Commit: "abcdef12", Tag: "paas/hello:build-1"}, "commit abcdef12 not found"},
		{"context too large", Request{RepoPath: bare, Commit: commit, Tag: "paas/hello:build-1"}, "larger than the limit of 4 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.Build(context.Background(), tt.req, io.Discard)
			checkUserError(t, err, paas.EINVALID, tt.want)
		})
	}
}
