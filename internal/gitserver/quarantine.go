package gitserver

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// adoptQuarantine links the objects of a push that git still holds in its
// quarantine directory into the repository's object store, so the builder
// can read the pushed commit while the pre-receive hook runs. Should the
// push then be rejected, the objects stay unreferenced and harmless until
// garbage collection; git's own move of the quarantine tolerates objects
// that already exist.
func adoptQuarantine(repo, quarantine string) error {
	objects := filepath.Join(repo, "objects")
	rel, err := filepath.Rel(objects, filepath.Clean(quarantine))
	if err != nil || strings.HasPrefix(rel, "..") || strings.Contains(rel, string(filepath.Separator)) {
		return fmt.Errorf("quarantine %q is not inside %s", quarantine, objects)
	}
	// Packs first, then their indexes, so no reader sees an index without
	// its pack.
	var idx []string
	err = filepath.WalkDir(quarantine, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(path, ".idx") {
			idx = append(idx, path)
			return nil
		}
		return adoptFile(quarantine, objects, path)
	})
	if err != nil {
		return err
	}
	for _, path := range idx {
		if err := adoptFile(quarantine, objects, path); err != nil {
			return err
		}
	}
	return nil
}

func adoptFile(from, to, path string) error {
	rel, err := filepath.Rel(from, path)
	if err != nil {
		return err
	}
	dst := filepath.Join(to, rel)
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Link(path, dst); err == nil || os.IsExist(err) {
		return nil
	}
	return copyFile(path, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o444)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
