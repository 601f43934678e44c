package tarball

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type entry struct {
	name, body, link string
	typ              byte
	mode             int64
}

func archive(t testing.TB, gz bool, entries ...entry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Size: int64(len(e.body)), Linkname: e.link}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	tw.Close()
	if !gz {
		return buf.Bytes()
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(buf.Bytes())
	zw.Close()
	return z.Bytes()
}

func TestExtract(t *testing.T) {
	for _, tc := range []struct {
		name    string
		gz      bool
		entries []entry
		want    string // error substring; "" for success
		lim     Limits
	}{
		{name: "files and dirs", gz: true, entries: []entry{{name: "Dockerfile", body: "FROM x"}, {name: "src/", typ: tar.TypeDir}, {name: "src/run.sh", body: "#!/bin/sh", mode: 0o755}}},
		{name: "plain tar", entries: []entry{{name: "./app.yml", body: "processes: {}"}}},
		{name: "symlink inside", entries: []entry{{name: "a.txt", body: "a"}, {name: "b.txt", typ: tar.TypeSymlink, link: "a.txt"}}},
		{name: ".git skipped", entries: []entry{{name: ".git/config", body: "x"}, {name: "a", body: "a"}}},
		{name: "absolute path", entries: []entry{{name: "/etc/passwd", body: "x"}}, want: "absolute path"},
		{name: "traversal", entries: []entry{{name: "../../x", body: "x"}}, want: "outside the archive"},
		{name: "traversal after clean", entries: []entry{{name: "a/../../x", body: "x"}}, want: "outside the archive"},
		{name: "symlink out", entries: []entry{{name: "l", typ: tar.TypeSymlink, link: "../../etc"}}, want: "outside the archive"},
		{name: "absolute symlink", entries: []entry{{name: "l", typ: tar.TypeSymlink, link: "/etc"}}, want: "absolute path"},
		{name: "write through symlink", entries: []entry{{name: "d", typ: tar.TypeSymlink, link: "."}, {name: "d/x", body: "x"}}, want: "inside a symlink"},
		{name: "hard link", entries: []entry{{name: "a", body: "a"}, {name: "b", typ: tar.TypeLink, link: "a"}}, want: "hard link"},
		{name: "device", entries: []entry{{name: "dev", typ: tar.TypeChar}}, want: "device"},
		{name: "duplicate", entries: []entry{{name: "a", body: "1"}, {name: "a", body: "2"}}, want: "twice"},
		{name: "too big", entries: []entry{{name: "a", body: strings.Repeat("x", 100)}}, lim: Limits{MaxBytes: 10, MaxFiles: 10}, want: "more than 10 bytes"},
		{name: "too many files", entries: []entry{{name: "a", body: "1"}, {name: "b", body: "2"}}, lim: Limits{MaxBytes: 100, MaxFiles: 1}, want: "more than 1 files"},
		{name: "empty", entries: nil, want: "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim := tc.lim
			if lim.MaxBytes == 0 {
				lim = DefaultLimits
			}
			dir := t.TempDir()
			err := Extract(bytes.NewReader(archive(t, tc.gz, tc.entries...)), dir, lim)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Extract: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Extract error = %v; want %q", err, tc.want)
			}
		})
	}
}

func TestExtractKeepsModes(t *testing.T) {
	dir := t.TempDir()
	err := Extract(bytes.NewReader(archive(t, true, entry{name: "run.sh", body: "#!/bin/sh", mode: 0o755})), dir, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "run.sh"))
	if err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("executable bit lost: %v %v", fi, err)
	}
}

func FuzzExtract(f *testing.F) {
	f.Add(archive(f, false, entry{name: "a", body: "x"}))
	f.Add(archive(f, true, entry{name: "a/", typ: tar.TypeDir}, entry{name: "a/b", body: "y"}))
	f.Add(archive(f, false, entry{name: "l", typ: tar.TypeSymlink, link: "../x"}))
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		root := filepath.Join(dir, "root")
		os.Mkdir(root, 0o755)
		Extract(bytes.NewReader(data), root, Limits{MaxBytes: 1 << 20, MaxFiles: 100})
		// Nothing may be written beside the root.
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("extract wrote outside its directory: %v", entries)
		}
	})
}
