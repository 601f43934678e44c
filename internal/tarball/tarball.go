// Package tarball unpacks an uploaded source archive (tar, optionally
// gzipped) into a directory, refusing anything that could escape it or
// exhaust the disk: absolute paths, "..", links out of the tree, device
// files, and archives past the size and file-count limits.
package tarball

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitpaas/paas"
)

// Limits bound what an archive may unpack to.
type Limits struct {
	MaxBytes int64 // total size of the files
	MaxFiles int
}

// DefaultLimits suit an app's source.
var DefaultLimits = Limits{MaxBytes: 256 << 20, MaxFiles: 20000}

// Extract unpacks the archive r into dir, which must exist and be empty.
// Errors about the archive are EINVALID and say what to fix.
func Extract(r io.Reader, dir string, lim Limits) error {
	tr, err := open(r)
	if err != nil {
		return err
	}
	var total int64
	files := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return invalid("the archive is not a valid tar file: %v", err)
		}
		name, err := cleanName(h.Name)
		if err != nil || name == "" {
			if err != nil {
				return err
			}
			continue
		}
		if files++; files > lim.MaxFiles {
			return invalid("the archive has more than %d files", lim.MaxFiles)
		}
		if total += max(h.Size, 0); total > lim.MaxBytes {
			return invalid("the archive unpacks to more than %d bytes", lim.MaxBytes)
		}
		if err := extractOne(tr, h, dir, name); err != nil {
			return err
		}
	}
	if files == 0 {
		return invalid("the archive is empty; send the app's source")
	}
	return nil
}

// open accepts a gzipped or a plain tar stream.
func open(r io.Reader) (*tar.Reader, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, invalid("the archive is not valid gzip: %v", err)
		}
		return tar.NewReader(zr), nil
	}
	return tar.NewReader(br), nil
}

// cleanName returns the slash-separated path of an entry inside the tree,
// "" for the root itself, or an error for one that would leave it.
func cleanName(name string) (string, error) {
	if strings.ContainsRune(name, 0) || strings.Contains(name, `\`) {
		return "", invalid("archive entry %q has a NUL byte or a backslash", clip(name))
	}
	if path.IsAbs(name) {
		return "", invalid("archive entry %q is an absolute path; archive the app's directory with relative paths", clip(name))
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", invalid("archive entry %q points outside the archive", clip(name))
	}
	if clean == "." {
		return "", nil
	}
	if clean == ".git" || strings.HasPrefix(clean, ".git/") {
		return "", nil // a work tree's repository is not source
	}
	return clean, nil
}

func extractOne(tr *tar.Reader, h *tar.Header, dir, name string) error {
	target := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	if err := noSymlinkParents(dir, name); err != nil {
		return err
	}
	switch h.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(target, 0o755)
	case tar.TypeReg:
		return writeFile(target, tr, h.Mode&0o111 != 0)
	case tar.TypeSymlink:
		return symlink(dir, name, h.Linkname, target)
	case tar.TypeXGlobalHeader:
		return nil
	}
	return invalid("archive entry %q is a %s; only files, directories and symlinks are allowed", clip(name), kind(h.Typeflag))
}

// noSymlinkParents refuses to write through a symlink the archive made
// earlier, which could point anywhere.
func noSymlinkParents(dir, name string) error {
	parts := strings.Split(name, "/")
	p := dir
	for _, part := range parts[:len(parts)-1] {
		p = filepath.Join(p, part)
		if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return invalid("archive entry %q is inside a symlink", clip(name))
		}
	}
	return nil
}

func writeFile(target string, r io.Reader, exec bool) error {
	mode := os.FileMode(0o644)
	if exec {
		mode = 0o755
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if os.IsExist(err) {
			return invalid("archive has %q twice", clip(filepath.Base(target)))
		}
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return invalid("the archive is truncated: %v", err)
	}
	return f.Close()
}

// symlink makes a link only when it stays inside the tree.
func symlink(dir, name, link, target string) error {
	if path.IsAbs(link) || strings.ContainsRune(link, 0) {
		return invalid("symlink %q points to an absolute path", clip(name))
	}
	resolved := path.Join(path.Dir(name), link)
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return invalid("symlink %q points outside the archive", clip(name))
	}
	return os.Symlink(link, target)
}

func kind(t byte) string {
	switch t {
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "device"
	case tar.TypeFifo:
		return "FIFO"
	}
	return fmt.Sprintf("entry of type %q", t)
}

func invalid(format string, args ...any) error {
	return paas.Errorf(paas.EINVALID, format, args...)
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
