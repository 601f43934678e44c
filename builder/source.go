package builder

import (
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitpaas/paas"
)

// maxDockerfileBytes bounds how much of a Dockerfile is read to find its
// base images; real Dockerfiles are a few kilobytes.
const maxDockerfileBytes = 1 << 20

// source is one commit of a repository, opened for building.
type source struct {
	repo   *git.Repository
	commit *object.Commit
	tree   *object.Tree
	// dockerfile is the content of the Dockerfile, or nil when it is a
	// symlink, which the daemon resolves itself.
	dockerfile []byte
	// generated is the Dockerfile written for the commit's stack when it
	// is built without a Dockerfile of its own; writeContext adds it to the
	// build context. Nil otherwise.
	generated *generatedDockerfile
	// treeErr is the first error met by kind or names.
	treeErr error
	// dockerfilePath is the Dockerfile's path in the commit, which
	// .dockerignore cannot leave out.
	dockerfilePath string
}

// dockerignore returns the rules of the commit's .dockerignore, or nil.
func (s *source) dockerignore() *ignorer {
	f, err := s.tree.File(dockerignoreFile)
	if err != nil || f.Size > maxDockerfileBytes {
		return nil
	}
	body, err := f.Contents()
	if err != nil {
		return nil
	}
	return parseIgnore([]byte(body))
}

// short is the abbreviated commit hash that messages show.
func (s *source) short() string { return s.commit.Hash.String()[:7] }

// openSource opens the bare repository at repoPath, resolves rev (a commit
// hash, possibly abbreviated, or a ref) and checks that the commit has a
// Dockerfile at the path dockerfile.
func openSource(repoPath, rev, dockerfile string) (*source, error) {
	s, err := openCommit(repoPath, rev)
	if err != nil {
		return nil, err
	}
	if s.dockerfile, err = s.readDockerfile(dockerfile); err != nil {
		return nil, err
	}
	return s, nil
}

// openCommit opens the bare repository at repoPath and resolves rev, a
// commit hash, possibly abbreviated.
func openCommit(repoPath, rev string) (*source, error) {
	repo, err := git.PlainOpen(repoPath)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", repoPath, err)
	}
	commit, err := resolveCommit(repo, rev)
	if err != nil {
		return nil, err
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of commit %s: %w", commit.Hash, err)
	}
	return &source{repo: repo, commit: commit, tree: tree}, nil
}

// resolveCommit finds the commit named by rev, a full or abbreviated
// (at least 4 digits) hexadecimal commit hash.
func resolveCommit(repo *git.Repository, rev string) (*object.Commit, error) {
	if !isHexHash(rev) {
		return nil, paas.Errorf(paas.EINVALID, "%q is not a commit hash; name the commit to build by its hash (4 to 40 hexadecimal digits)", clip(rev))
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if errors.Is(err, plumbing.ErrReferenceNotFound) || errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, paas.Errorf(paas.EINVALID, "commit %s not found in the app's repository; push it and build again", rev)
	}
	if err != nil {
		return nil, fmt.Errorf("resolve commit %s: %w", rev, err)
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", hash, err)
	}
	return commit, nil
}

func isHexHash(s string) bool {
	if len(s) < 4 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// readDockerfile checks that the Dockerfile exists as a file and returns its
// content.
func (s *source) readDockerfile(name string) ([]byte, error) {
	content, found, err := s.findDockerfile(name)
	if err == nil && !found {
		err = s.noDockerfile(name)
	}
	return content, err
}

// findDockerfile returns the content of the Dockerfile at name and whether
// there is one: a file, or a symlink, whose content is nil since the daemon
// resolves it itself.
func (s *source) findDockerfile(name string) (content []byte, found bool, err error) {
	entry, err := s.findEntry(name)
	if err != nil || entry == nil {
		return nil, false, err
	}
	switch entry.Mode {
	case filemode.Symlink:
		return nil, true, nil
	case filemode.Regular, filemode.Deprecated, filemode.Executable:
		content, err := s.readBlob(entry.Hash, maxDockerfileBytes)
		return content, err == nil, err
	default:
		return nil, false, nil
	}
}

// findEntry returns the tree entry at name, a slash-separated path, or nil
// when there is none.
func (s *source) findEntry(name string) (*object.TreeEntry, error) {
	entry, err := s.tree.FindEntry(name)
	// A path through a file or a submodule finds no tree object.
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find %s in commit %s: %w", name, s.commit.Hash, err)
	}
	return entry, nil
}

func (s *source) noDockerfile(name string) error {
	if name == DefaultDockerfile {
		return paas.Errorf(paas.EINVALID, "no Dockerfile found at the root of commit %s; add a Dockerfile (or an app.yml) and push again", s.short())
	}
	return paas.Errorf(paas.EINVALID, "no Dockerfile found at %s in commit %s; add it or name another Dockerfile, and push again", path.Clean(name), s.short())
}

func (s *source) readBlob(h plumbing.Hash, limit int64) ([]byte, error) {
	blob, err := s.repo.BlobObject(h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	r, err := blob.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	return b, nil
}

// clip shortens untrusted input before it is echoed back in a message.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
