package builder

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitpaas/paas"
)

// entry is what a test checks of one tar entry.
type entry struct {
	Name string
	Type byte
	Mode int64
	Link string
	Body string
}

// packCommit opens commit of the bare repository and writes its build
// context, as Build does before it talks to the daemon.
func packCommit(t *testing.T, bare, commit, dockerfile string, limit int64) ([]entry, error) {
	t.Helper()
	src, err := openSource(bare, commit, dockerfile)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeContext(context.Background(), &buf, src, limit); err != nil {
		return nil, err
	}
	return readTar(t, &buf, src.commit.Committer.When), nil
}

// readTar lists the entries of a tar archive and checks what every entry
// shares: owned by root, dated modTime.
func readTar(t *testing.T, r io.Reader, modTime time.Time) []entry {
	t.Helper()
	var out []entry
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s: %v", hdr.Name, err)
		}
		if hdr.Uid != 0 || hdr.Gid != 0 || !hdr.ModTime.Equal(modTime) {
			t.Errorf("%s: uid %d gid %d mtime %v; want 0 0 %v", hdr.Name, hdr.Uid, hdr.Gid, hdr.ModTime, modTime)
		}
		out = append(out, entry{Name: hdr.Name, Type: hdr.Typeflag, Mode: hdr.Mode, Link: hdr.Linkname, Body: string(body)})
	}
}

func TestWriteContext(t *testing.T) {
	bare, commit := newRepo(t, map[string]file{
		"Dockerfile":           {Body: "FROM scratch\n"},
		"bin/start":            {Body: "#!/bin/sh\nexec app\n", Mode: 0o755},
		"app/lib/util.txt":     {Body: "util"},
		"app/lib/main.txt":     {Body: "main"},
		"app/lib/up":           {Link: "../../bin/start"},
		"start":                {Link: "bin/start"},
		"app/docs/readme.md":   {Body: "# app\n"},
		"app/lib/sibling-link": {Link: "util.txt"},
	}, "vendor/module")

	got, err := packCommit(t, bare, commit, DefaultDockerfile, DefaultMaxContextBytes)
	if err != nil {
		t.Fatal(err)
	}
	// Entries come in git's tree order, directories before their contents;
	// the submodule vendor/module is left out, which leaves vendor/ empty.
	want := []entry{
		{Name: "Dockerfile", Type: tar.TypeReg, Mode: 0o644, Body: "FROM scratch\n"},
		{Name: "app/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "app/docs/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "app/docs/readme.md", Type: tar.TypeReg, Mode: 0o644, Body: "# app\n"},
		{Name: "app/lib/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "app/lib/main.txt", Type: tar.TypeReg, Mode: 0o644, Body: "main"},
		{Name: "app/lib/sibling-link", Type: tar.TypeSymlink, Mode: 0o777, Link: "util.txt"},
		{Name: "app/lib/up", Type: tar.TypeSymlink, Mode: 0o777, Link: "../../bin/start"},
		{Name: "app/lib/util.txt", Type: tar.TypeReg, Mode: 0o644, Body: "util"},
		{Name: "bin/", Type: tar.TypeDir, Mode: 0o755},
		{Name: "bin/start", Type: tar.TypeReg, Mode: 0o755, Body: "#!/bin/sh\nexec app\n"},
		{Name: "start", Type: tar.TypeSymlink, Mode: 0o777, Link: "bin/start"},
		{Name: "vendor/", Type: tar.TypeDir, Mode: 0o755},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("context entries (-want +got):\n%s", diff)
	}
}

func TestWriteContextDeterministic(t *testing.T) {
	bare, commit := newRepo(t, map[string]file{
		"Dockerfile": {Body: "FROM scratch\n"},
		"a/b/c.txt":  {Body: "c"},
	})
	pack := func() []byte {
		src, err := openSource(bare, commit, DefaultDockerfile)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := writeContext(context.Background(), &buf, src, DefaultMaxContextBytes); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if !bytes.Equal(pack(), pack()) {
		t.Error("two contexts of the same commit differ; the build cache could not match them")
	}
}

func TestWriteContextErrors(t *testing.T) {
	withDockerfile := func(files map[string]file) map[string]file {
		files["Dockerfile"] = file{Body: "FROM scratch\n"}
		return files
	}
	tests := []struct {
		name       string
		files      map[string]file
		commit     string // "" means the commit made
		dockerfile string
		limit      int64
		want       []string // substrings of the message
	}{
		{
			name:  "absolute symlink",
			files: withDockerfile(map[string]file{"etc-passwd": {Link: "/etc/passwd"}}),
			want:  []string{"symlink etc-passwd points to the absolute path /etc/passwd", "relative symlinks"},
		},
		{
			name:  "symlink escaping the root",
			files: withDockerfile(map[string]file{"up": {Link: "../outside"}}),
			want:  []string{"symlink up points to ../outside, outside the repository"},
		},
		{
			name:  "nested symlink escaping the root",
			files: withDockerfile(map[string]file{"a/b/up": {Link: "../../../x"}}),
			want:  []string{"symlink a/b/up points to ../../../x, outside the repository"},
		},
		{
			name:  "symlink to the parent of the root",
			files: withDockerfile(map[string]file{"a/parent": {Link: "../.."}}),
			want:  []string{"outside the repository"},
		},
		{
			name:  "no Dockerfile",
			files: map[string]file{"app.py": {Body: "print(1)\n"}},
			want:  []string{"no Dockerfile found at the root of commit ", "add a Dockerfile (or an app.yml) and push again"},
		},
		{
			name:  "Dockerfile is a directory",
			files: map[string]file{"Dockerfile/x": {Body: "x"}},
			want:  []string{"no Dockerfile found at the root of commit"},
		},
		{
			name:       "named Dockerfile missing",
			files:      withDockerfile(map[string]file{}),
			dockerfile: "docker/web.Dockerfile",
			want:       []string{"no Dockerfile found at docker/web.Dockerfile in commit"},
		},
		{
			name:   "unknown commit",
			files:  withDockerfile(map[string]file{}),
			commit: "0123456789abcdef0123456789abcdef01234567",
			want:   []string{"commit 0123456789abcdef0123456789abcdef01234567 not found", "push it"},
		},
		{
			name:   "unknown abbreviated commit",
			files:  withDockerfile(map[string]file{}),
			commit: "deadbeef",
			want:   []string{"commit deadbeef not found"},
		},
		{
			name:   "not a commit hash",
			files:  withDockerfile(map[string]file{}),
			commit: "main~1",
			want:   []string{`"main~1" is not a commit hash`},
		},
		{
			name:  "context too large",
			files: withDockerfile(map[string]file{"big.bin": {Body: strings.Repeat("x", 4096)}}),
			limit: 4096,
			want:  []string{"larger than the limit of 4 KiB (reached at big.bin, a file of 4 KiB)", "keep large files"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bare, commit := newRepo(t, tt.files)
			if tt.commit != "" {
				commit = tt.commit
			}
			if tt.dockerfile == "" {
				tt.dockerfile = DefaultDockerfile
			}
			if tt.limit == 0 {
				tt.limit = DefaultMaxContextBytes
			}
			_, err := packCommit(t, bare, commit, tt.dockerfile, tt.limit)
			checkUserError(t, err, paas.EINVALID, tt.want...)
		})
	}
}

func TestWriteContextAcceptsAbbreviatedCommit(t *testing.T) {
	bare, commit := newRepo(t, map[string]file{"Dockerfile": {Body: "FROM scratch\n"}})
	got, err := packCommit(t, bare, commit[:7], DefaultDockerfile, DefaultMaxContextBytes)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "Dockerfile" {
		t.Errorf("entries = %+v; want just the Dockerfile", got)
	}
}

func TestWriteContextCancelled(t *testing.T) {
	bare, commit := newRepo(t, map[string]file{"Dockerfile": {Body: "FROM scratch\n"}})
	src, err := openSource(bare, commit, DefaultDockerfile)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := writeContext(ctx, io.Discard, src, DefaultMaxContextBytes); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}

func TestCheckSymlink(t *testing.T) {
	tests := []struct {
		name, link, target string
		ok                 bool
	}{
		{"sibling", "a/b", "c", true},
		{"to the root", "a/b", "..", true},
		{"up and down", "a/b/c", "../../x/y", true},
		{"dot", "a", ".", true},
		{"down then out", "a", "x/../../y", false},
		{"parent of root", "a", "..", false},
		{"absolute", "a", "/etc", false},
		{"empty", "a", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSymlink(tt.link, tt.target)
			if (err == nil) != tt.ok {
				t.Errorf("checkSymlink(%q, %q) = %v; want ok %v", tt.link, tt.target, err, tt.ok)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	tests := map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1536: "1.5 KiB", 256 << 20: "256 MiB", 3 << 30: "3 GiB"}
	for n, want := range tests {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q; want %q", n, got, want)
		}
	}
}

// checkUserError checks that err is a *paas.Error with code whose message
// holds every one of want.
func checkUserError(t *testing.T, err error, code string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil; want a %s error", code)
	}
	var pe *paas.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T); want a *paas.Error", err, err)
	}
	if pe.Code != code {
		t.Errorf("code = %q; want %q (message %q)", pe.Code, code, pe.Message)
	}
	for _, w := range want {
		if !strings.Contains(pe.Message, w) {
			t.Errorf("message %q does not contain %q", pe.Message, w)
		}
	}
}
