package builder

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/gitpaas/paas"
)

// tarHeaderBytes is what a tar entry costs beyond its content, counted
// against the context size limit so that many tiny files cannot slip by.
const tarHeaderBytes = 512

// contextWriter packs the tree of one commit into a tar build context.
// Every entry is owned by root and dated with the commit, so that the same
// commit always makes the same stream and the classic builder's cache can
// match it.
type contextWriter struct {
	src     *source
	tw      *tar.Writer
	modTime time.Time
	max     int64
	size    int64
	// ignoreSeen is set once the commit's own .dockerignore is written.
	ignoreSeen bool
	// ignore holds the commit's .dockerignore rules; the Dockerfile and
	// .dockerignore itself are always sent, as the docker CLI does.
	ignore *ignorer
}

// dockerignoreFile is the file at the root of a build context whose patterns
// the daemon matches against the Dockerfile's name: a Dockerfile that
// matches is read and then left out of the context.
const dockerignoreFile = ".dockerignore"

// writeContext writes the tree of src's commit to w as a tar archive of at
// most max bytes. It keeps regular files with their executable bit and
// symlinks as symlinks, rejects symlinks that are absolute or lead out of
// the tree, and skips submodules, which have no content in the repository.
func writeContext(ctx context.Context, w io.Writer, src *source, max int64) error {
	cw := &contextWriter{src: src, tw: tar.NewWriter(w), modTime: src.commit.Committer.When.UTC(), max: max,
		ignore: src.dockerignore()}
	if err := cw.writeTree(ctx, src.tree, ""); err != nil {
		return err
	}
	if err := cw.writeGenerated(); err != nil {
		return err
	}
	if err := cw.tw.Close(); err != nil {
		return fmt.Errorf("write build context: %w", err)
	}
	return nil
}

// writeTree writes the entries of t, whose path in the commit is dir ("" at
// the root), depth first in git's order.
func (cw *contextWriter) writeTree(ctx context.Context, t *object.Tree, dir string) error {
	for _, e := range t.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := cw.writeEntry(ctx, t, e, dir); err != nil {
			return err
		}
	}
	return nil
}

func (cw *contextWriter) writeEntry(ctx context.Context, t *object.Tree, e object.TreeEntry, dir string) error {
	if !validEntryName(e.Name) {
		return paas.Errorf(paas.EINVALID, "commit %s has a file named %q in %q, which cannot be unpacked; rename it and push again", cw.src.short(), clip(e.Name), "/"+dir)
	}
	name := path.Join(dir, e.Name)
	if cw.skip(name, e.Mode == filemode.Dir) {
		return nil
	}
	switch e.Mode {
	case filemode.Dir:
		return cw.writeDir(ctx, t, e, name)
	case filemode.Regular, filemode.Deprecated, filemode.Executable:
		if name == dockerignoreFile {
			return cw.writeDockerignore(e)
		}
		return cw.writeFile(e, name, fileMode(e.Mode))
	case filemode.Symlink:
		return cw.writeSymlink(e, name)
	case filemode.Submodule:
		return nil
	default:
		return fmt.Errorf("commit %s: %s has unknown git file mode %o", cw.src.commit.Hash, name, uint32(e.Mode))
	}
}

func validEntryName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00")
}

func (cw *contextWriter) writeDir(ctx context.Context, t *object.Tree, e object.TreeEntry, name string) error {
	sub, err := t.Tree(e.Name)
	if err != nil {
		return fmt.Errorf("read tree %s of commit %s: %w", name, cw.src.commit.Hash, err)
	}
	hdr := &tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755}
	if err := cw.writeHeader(hdr); err != nil {
		return err
	}
	return cw.writeTree(ctx, sub, name)
}

func (cw *contextWriter) writeFile(e object.TreeEntry, name string, mode int64) error {
	blob, err := cw.src.repo.BlobObject(e.Hash)
	if err != nil {
		return fmt.Errorf("read %s of commit %s: %w", name, cw.src.commit.Hash, err)
	}
	if cw.size+tarHeaderBytes+blob.Size > cw.max {
		return cw.tooLarge(name, blob.Size)
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: blob.Size}
	if err := cw.writeHeader(hdr); err != nil {
		return err
	}
	r, err := blob.Reader()
	if err != nil {
		return fmt.Errorf("read %s of commit %s: %w", name, cw.src.commit.Hash, err)
	}
	defer r.Close()
	if _, err := io.Copy(cw.tw, r); err != nil {
		return fmt.Errorf("write %s to the build context: %w", name, err)
	}
	cw.size += blob.Size
	return nil
}

// fileMode is the mode in the context of a file of git mode m.
func fileMode(m filemode.FileMode) int64 {
	if m == filemode.Executable {
		return 0o755
	}
	return 0o644
}

// writeDockerignore writes the commit's .dockerignore, with the name of the
// generated Dockerfile added when there is one, so that COPY leaves it out.
func (cw *contextWriter) writeDockerignore(e object.TreeEntry) error {
	g := cw.src.generated
	if g == nil {
		return cw.writeFile(e, dockerignoreFile, fileMode(e.Mode))
	}
	cw.ignoreSeen = true
	body, err := cw.src.readBlob(e.Hash, maxDockerfileBytes+1)
	if err != nil {
		return err
	}
	if len(body) > maxDockerfileBytes {
		// Too large to be a real one; the daemon then copies the
		// generated Dockerfile along with the source, which is harmless.
		return cw.writeFile(e, dockerignoreFile, fileMode(e.Mode))
	}
	return cw.writeBytes(dockerignoreFile, g.ignoreLines(body))
}

// writeGenerated adds the generated Dockerfile, if any, to the end of the
// context, and a .dockerignore that names it when the commit has none.
func (cw *contextWriter) writeGenerated() error {
	g := cw.src.generated
	if g == nil {
		return nil
	}
	if !cw.ignoreSeen {
		if err := cw.writeBytes(dockerignoreFile, g.ignoreLines(nil)); err != nil {
			return err
		}
	}
	return cw.writeBytes(g.name, g.content)
}

// writeBytes writes a regular file made by the builder rather than read
// from the commit.
func (cw *contextWriter) writeBytes(name string, body []byte) error {
	size := int64(len(body))
	if cw.size+tarHeaderBytes+size > cw.max {
		return cw.tooLarge(name, size)
	}
	if err := cw.writeHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: size}); err != nil {
		return err
	}
	if _, err := cw.tw.Write(body); err != nil {
		return fmt.Errorf("write %s to the build context: %w", name, err)
	}
	cw.size += size
	return nil
}

func (cw *contextWriter) writeSymlink(e object.TreeEntry, name string) error {
	// PATH_MAX bounds a symlink target on Linux.
	target, err := cw.src.readBlob(e.Hash, 4096)
	if err != nil {
		return err
	}
	if err := checkSymlink(name, string(target)); err != nil {
		return paas.Errorf(paas.EINVALID, "commit %s: %v; build contexts take only relative symlinks that stay inside the repository, so fix it and push again", cw.src.short(), err)
	}
	hdr := &tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: string(target), Mode: 0o777}
	return cw.writeHeader(hdr)
}

// checkSymlink reports why the symlink at name (a path in the tree) may not
// point to target: it is empty, absolute, or leads out of the tree.
func checkSymlink(name, target string) error {
	switch {
	case target == "" || strings.ContainsRune(target, 0):
		return fmt.Errorf("symlink %s has an invalid target", name)
	case path.IsAbs(target):
		return fmt.Errorf("symlink %s points to the absolute path %s", name, clip(target))
	}
	resolved := path.Join(path.Dir(name), target)
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return fmt.Errorf("symlink %s points to %s, outside the repository", name, clip(target))
	}
	return nil
}

func (cw *contextWriter) writeHeader(hdr *tar.Header) error {
	if cw.size+tarHeaderBytes > cw.max {
		return cw.tooLarge(hdr.Name, 0)
	}
	hdr.ModTime = cw.modTime
	if err := cw.tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("write %s to the build context: %w", hdr.Name, err)
	}
	cw.size += tarHeaderBytes
	return nil
}

func (cw *contextWriter) tooLarge(name string, size int64) error {
	at := name
	if size > 0 {
		at = fmt.Sprintf("%s, a file of %s", name, formatBytes(size))
	}
	return paas.Errorf(paas.EINVALID, "the build context of commit %s is larger than the limit of %s (reached at %s); keep large files and build output out of git and push again",
		cw.src.short(), formatBytes(cw.max), at)
}

// formatBytes formats n with a binary unit, such as "256 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %ciB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[exp])
}

// skip reports whether .dockerignore leaves name out. A directory is pruned
// only when no rule could re-include something below it.
func (cw *contextWriter) skip(name string, dir bool) bool {
	if name == dockerignoreFile || name == cw.src.dockerfilePath || strings.HasPrefix(cw.src.dockerfilePath, name+"/") ||
		!cw.ignore.ignored(name) {
		return false
	}
	return !dir || !cw.ignore.negation
}
