package builder

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gitpaas/paas"
)

// memTree is a commit's tree in memory, for tests of detection and
// generation that need no repository: file paths and their content, with
// the directories implied.
type memTree map[string]string

var _ tree = memTree(nil)

func (m memTree) kind(name string) entryKind {
	if _, ok := m[name]; ok {
		return kindFile
	}
	for p := range m {
		if strings.HasPrefix(p, name+"/") {
			return kindDir
		}
	}
	return kindNone
}

func (m memTree) names(dir string) []string {
	prefix := ""
	if dir = path.Clean(dir); dir != "." {
		prefix = dir + "/"
	}
	seen := map[string]bool{}
	for p := range m {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			name, _, _ := strings.Cut(rest, "/")
			seen[name] = true
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (m memTree) readFile(name string, max int64) ([]byte, error) {
	body, ok := m[name]
	switch {
	case !ok:
		return nil, paas.Errorf(paas.ENOTFOUND, "commit %s has no file %s", m.short(), name)
	case int64(len(body)) > max:
		return nil, paas.Errorf(paas.EINVALID, "%s is too large", name)
	}
	return []byte(body), nil
}

func (memTree) short() string { return "abc1234" }

func (memTree) err() error { return nil }

// memTreeFromDir reads the files of dir, such as a sample app, into a
// memTree.
func memTreeFromDir(t *testing.T, dir string) memTree {
	t.Helper()
	m := memTree{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = string(body)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
