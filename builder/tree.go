package builder

import (
	"fmt"
	"path"
	"sort"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// entryKind is what a path of a commit's tree names.
type entryKind int

const (
	kindNone    entryKind = iota // nothing, or a submodule, which has no content here
	kindFile                     // a regular file, executable or not
	kindDir                      // a directory
	kindSymlink                  // a symbolic link
)

// tree is what stack detection and Dockerfile generation read of a commit.
// *source is the real one; the tests also use an in-memory one.
type tree interface {
	// kind tells what the slash-separated path name is.
	kind(name string) entryKind
	// names lists the entries of the directory dir ("." for the root) in
	// sorted order; a directory that does not exist has none.
	names(dir string) []string
	// readFile returns the content of the regular file name: an ENOTFOUND
	// error when there is none, EINVALID when it is larger than max bytes.
	readFile(name string, max int64) ([]byte, error)
	// short is the abbreviated hash of the commit, which messages show.
	short() string
	// err is the first error met reading the tree in kind or names, which
	// have no error result of their own.
	err() error
}

var _ tree = (*source)(nil)

func (s *source) kind(name string) entryKind {
	entry, err := s.findEntry(name)
	if err != nil {
		s.fail(err)
		return kindNone
	}
	if entry == nil {
		return kindNone
	}
	return modeKind(entry.Mode)
}

func modeKind(m filemode.FileMode) entryKind {
	switch m {
	case filemode.Regular, filemode.Deprecated, filemode.Executable:
		return kindFile
	case filemode.Dir:
		return kindDir
	case filemode.Symlink:
		return kindSymlink
	default:
		return kindNone
	}
}

func (s *source) names(dir string) []string {
	t := s.tree
	if dir = path.Clean(dir); dir != "." {
		if s.kind(dir) != kindDir {
			return nil
		}
		sub, err := s.tree.Tree(dir)
		if err != nil {
			s.fail(fmt.Errorf("read tree %s of commit %s: %w", dir, s.commit.Hash, err))
			return nil
		}
		t = sub
	}
	return entryNames(t)
}

func entryNames(t *object.Tree) []string {
	names := make([]string, 0, len(t.Entries))
	for _, e := range t.Entries {
		if e.Mode != filemode.Submodule {
			names = append(names, e.Name)
		}
	}
	sort.Strings(names)
	return names
}

func (s *source) fail(err error) {
	if s.treeErr == nil {
		s.treeErr = err
	}
}

func (s *source) err() error { return s.treeErr }
