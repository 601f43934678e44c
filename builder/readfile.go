package builder

import (
	"context"
	"fmt"
	"path"

	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/gitpaas/paas"
)

// ReadFile returns the content of the file name, a slash-separated path such
// as "app.yml", in commit of the bare repository at repoPath. The pipeline
// reads app.yml and Procfile with it before it builds.
//
// A commit without that file is a paas.ENOTFOUND error; a name that is a
// directory or a symlink, or a file larger than max bytes, is EINVALID. Like
// Build, it takes commit hashes only, full or abbreviated.
func (b *Builder) ReadFile(ctx context.Context, repoPath, commit, name string, max int64) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if max <= 0 {
		return nil, fmt.Errorf("read %s: the size limit is %d; want a positive number of bytes", name, max)
	}
	if !validRepoPath(name) {
		return nil, paas.Errorf(paas.EINVALID, "%q is not a file inside the repository; name it by a relative path such as app.yml", clip(name))
	}
	src, err := openCommit(repoPath, commit)
	if err != nil {
		return nil, err
	}
	return src.readFile(path.Clean(name), max)
}

// readFile returns the content of the regular file name of the commit.
func (s *source) readFile(name string, max int64) ([]byte, error) {
	entry, err := s.findEntry(name)
	switch {
	case err != nil:
		return nil, err
	case entry == nil:
		return nil, paas.Errorf(paas.ENOTFOUND, "commit %s has no file %s", s.short(), name)
	}
	switch entry.Mode {
	case filemode.Regular, filemode.Deprecated, filemode.Executable:
	case filemode.Symlink:
		return nil, paas.Errorf(paas.EINVALID, "%s in commit %s is a symlink; commit the file itself and push again", name, s.short())
	default:
		return nil, paas.Errorf(paas.EINVALID, "%s in commit %s is not a file; push a commit where it is one", name, s.short())
	}
	blob, err := s.repo.BlobObject(entry.Hash)
	if err != nil {
		return nil, fmt.Errorf("read %s of commit %s: %w", name, s.commit.Hash, err)
	}
	if blob.Size > max {
		return nil, paas.Errorf(paas.EINVALID, "%s in commit %s is %s, more than the limit of %s; make it smaller and push again", name, s.short(), formatBytes(blob.Size), formatBytes(max))
	}
	return s.readBlob(entry.Hash, max)
}
