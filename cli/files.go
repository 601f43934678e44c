package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// homeDir returns the user's home directory from $HOME, which is also where
// git and curl look for .netrc.
func (e *env) homeDir() (string, error) {
	if h := e.getenv("HOME"); h != "" {
		return h, nil
	}
	return "", errors.New("cannot find your home directory; set HOME")
}

// readFileIfExists returns the file's contents, or nil when it does not
// exist.
func readFileIfExists(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// writeFilePrivate replaces path with data, readable only by the user. It
// writes a temporary file and renames it so that a crash never leaves half
// a file, and it writes through a symbolic link rather than replacing it.
func writeFilePrivate(path string, data []byte) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}
