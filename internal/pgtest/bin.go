package pgtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
)

// errNotInstalled means that the PostgreSQL server binaries are not on this
// machine.
var errNotInstalled = errors.New("postgresql server binaries (initdb, postgres, createdb, dropdb) not found in PATH or /usr/lib/postgresql/*/bin; install them (Debian: apt-get install postgresql) to run this test")

// tools are the programs that pgtest runs; they must all come from the same
// installation.
var tools = []string{"initdb", "postgres", "createdb", "dropdb"}

// findBinDir returns the directory that holds all of tools: the one of the
// initdb found in PATH, or else the newest /usr/lib/postgresql/<version>/bin.
func findBinDir() (string, error) {
	if dir, ok := pathBinDir(); ok {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	return newestBinDir(dirs)
}

// pathBinDir returns the directory of the initdb found in PATH, following
// symbolic links, if all of tools are there.
func pathBinDir() (string, bool) {
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		return "", false
	}
	initdb, err = filepath.EvalSymlinks(initdb)
	if err != nil {
		return "", false
	}
	dir := filepath.Dir(initdb)
	return dir, hasTools(dir)
}

// newestBinDir returns the directory of dirs, named …/<major version>/bin,
// with the highest version that holds all of tools.
func newestBinDir(dirs []string) (string, error) {
	slices.SortFunc(dirs, func(a, b string) int { return majorVersion(b) - majorVersion(a) })
	for _, dir := range dirs {
		if hasTools(dir) {
			return dir, nil
		}
	}
	return "", errNotInstalled
}

// majorVersion returns the version in a path such as
// /usr/lib/postgresql/15/bin, or 0 when it has none.
func majorVersion(binDir string) int {
	v, err := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	if err != nil {
		return 0
	}
	return v
}

// hasTools reports whether dir holds an executable file for each of tools.
func hasTools(dir string) bool {
	for _, tool := range tools {
		fi, err := os.Stat(filepath.Join(dir, tool))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}
