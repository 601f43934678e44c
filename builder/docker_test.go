package builder

import (
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// busyboxImage is the base image of the sample apps; deploy/images.sh makes
// it, and so does ensureBusybox.
const busyboxImage = "paas/busybox:1.35"

// busyboxDockerfile is the Dockerfile of deploy/images.sh for busyboxImage.
const busyboxDockerfile = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /etc /root /tmp /www && chmod 1777 /tmp && echo root:x:0:0:root:/root:/bin/sh >/etc/passwd && echo nobody:x:65534:65534:nobody:/nonexistent:/bin/false >>/etc/passwd && echo root:x:0: >/etc/group && echo nogroup:x:65534: >>/etc/group"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
`

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"negative context limit", Options{MaxContextBytes: -1}},
		{"docker host without a scheme", Options{DockerHost: "localhost"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.opts); paas.ErrorCode(err) != paas.EINVALID {
				t.Errorf("New(%+v) = %v; want an EINVALID error", tt.opts, err)
			}
		})
	}
}

func TestPingUnreachable(t *testing.T) {
	b, err := New(Options{DockerHost: "unix://" + t.TempDir() + "/docker.sock"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	checkUserError(t, b.Ping(context.Background()), paas.EUNAVAILABLE, "is not reachable", "start dockerd")
}

// newTestBuilder returns a Builder on the local Docker Engine. It skips the
// test when the Engine does not answer, except under CI=true.
func newTestBuilder(t *testing.T) *Builder {
	t.Helper()
	if testing.Short() {
		t.Skip("talks to the Docker Engine; skipped with -short")
	}
	b, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Ping(ctx); err != nil {
		skipOrFail(t, "the Docker Engine is not reachable (%v); start dockerd to run this test", err)
	}
	return b
}

// ensureBusybox makes busyboxImage from Debian's static busybox, as
// deploy/images.sh does, when it does not exist. It leaves the image in
// place: it is a shared base image, not a product of the test.
func ensureBusybox(t *testing.T, b *Builder) {
	t.Helper()
	if _, err := b.cli.ImageInspect(context.Background(), busyboxImage); err == nil {
		return
	}
	buildBusybox(t, b, busyboxImage)
}

// buildBusybox builds the busybox base image as tag and returns its ID.
func buildBusybox(t *testing.T, b *Builder, tag string) string {
	t.Helper()
	const bin = "/bin/busybox"
	if !isStaticELF(bin) {
		skipOrFail(t, "%s does not exist and %s is not a static busybox; apt-get install busybox-static (or run deploy/images.sh) to run this test", busyboxImage, bin)
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	bare, commit := newRepo(t, map[string]file{
		"Dockerfile": {Body: busyboxDockerfile},
		"busybox":    {Body: string(body), Mode: 0o755},
	})
	req := Request{RepoPath: bare, Commit: commit, Tag: tag, Labels: map[string]string{BaseImageLabel: "true"}}
	var log strings.Builder
	id, err := b.Build(context.Background(), req, &log)
	if err != nil {
		t.Fatalf("build %s: %v\n%s", tag, err, log.String())
	}
	return id
}

func isStaticELF(name string) bool {
	f, err := elf.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// testRepository returns a repository name that no one else uses, such as
// "paas-test/hello-1a2b3c4d", and removes its images when the test ends.
func testRepository(t *testing.T, b *Builder, name string) string {
	t.Helper()
	var buf [4]byte
	_, _ = rand.Read(buf[:])
	repo := "paas-test/" + name + "-" + hex.EncodeToString(buf[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := b.RemoveRepository(ctx, repo); err != nil {
			t.Errorf("clean up %s: %v", repo, err)
		}
	})
	return repo
}

// watchWriter is a build log that closes seen when the log first holds
// marker.
type watchWriter struct {
	mu     sync.Mutex
	buf    strings.Builder
	marker string
	seen   chan struct{}
}

func newWatchWriter(marker string) *watchWriter {
	return &watchWriter{marker: marker, seen: make(chan struct{})}
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), w.marker)
	w.buf.Write(p)
	if !had && strings.Contains(w.buf.String(), w.marker) {
		close(w.seen)
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// checkLogHas checks that a build log holds each of want.
func checkLogHas(t *testing.T, log string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Errorf("build log does not contain %q:\n%s", w, log)
		}
	}
}
