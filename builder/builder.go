package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"strings"

	"github.com/docker/docker/api/types/build"

	"github.com/gitpaas/paas"
)

// DefaultDockerfile is the Dockerfile that Build uses when the request names
// none: the file at the root of the commit.
const DefaultDockerfile = "Dockerfile"

// Request says what to build.
type Request struct {
	// RepoPath is the path of the app's bare git repository.
	RepoPath string
	// Commit is the hash of the commit to build, full or abbreviated.
	Commit string
	// Tag names the image, such as "paas/hello:build-12". It must have a
	// tag, and the tag may not be latest.
	Tag string
	// Dockerfile is the path of the Dockerfile in the commit. Empty means
	// DefaultDockerfile, or, when the commit has none there, a Dockerfile
	// that the builder writes for the commit's stack (see Stack). A
	// Dockerfile named here must exist.
	Dockerfile string
	// Stack is the language stack to build with instead of a Dockerfile:
	// one of StackGo, StackNode, StackPython and StackStatic. It wins over
	// a Dockerfile in the commit. Empty means: the Dockerfile, or, when
	// there is none, the stack that DetectStack finds.
	Stack string
	// BuildCommand runs in a stack build, after the dependencies are
	// installed and the source is copied in, before the stack's own
	// compile step; for example ["/bin/sh", "-c", "npm run build"]. A
	// commit built with its own Dockerfile may not have one: the command
	// belongs in a RUN step there.
	BuildCommand []string
	// Labels are set on the image. The classic builder applies each as a
	// LABEL step at the end of the Dockerfile, which shows in the build log
	// (and in the step count), so labels must not hold secrets.
	Labels map[string]string
}

// Validate reports whether the request can be built, before anything is
// read.
func (r Request) Validate() error {
	if r.RepoPath == "" {
		return paas.Errorf(paas.EINVALID, "build request has no repository path")
	}
	if r.Dockerfile != "" {
		if err := validateDockerfilePath(r.Dockerfile); err != nil {
			return err
		}
	}
	if r.Stack != "" {
		if err := validateStack(r.Stack); err != nil {
			return err
		}
	}
	if r.Stack != "" && r.Dockerfile != "" {
		return paas.Errorf(paas.EINVALID, "the build names both a Dockerfile (%s) and a stack (%s); set only one of build.dockerfile and build.stack in app.yml", clip(r.Dockerfile), r.Stack)
	}
	if err := validateBuildCommand(r.BuildCommand); err != nil {
		return err
	}
	return validateTag(r.Tag)
}

func validateDockerfilePath(p string) error {
	if !validRepoPath(p) {
		return paas.Errorf(paas.EINVALID, "Dockerfile path %q is not a file inside the repository; use a relative path such as Dockerfile or docker/web.Dockerfile", clip(p))
	}
	return nil
}

// validRepoPath reports whether p is a relative path to a file inside the
// repository.
func validRepoPath(p string) bool {
	clean := path.Clean(p)
	return !(path.IsAbs(p) || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") || strings.ContainsRune(p, 0))
}

func (r *Request) canonicalize() {
	if r.Dockerfile == "" {
		r.Dockerfile = DefaultDockerfile
	}
	r.Dockerfile = path.Clean(r.Dockerfile)
	labels := map[string]string{BaseImageLabel: "false"}
	maps.Copy(labels, r.Labels)
	r.Labels = labels
}

// Build builds the image of one commit and returns its ID.
//
// It reads commit req.Commit of the bare repository at req.RepoPath, packs
// its tree into a build context, and builds it with the Docker Engine's
// classic builder, tagging the image req.Tag. It never pulls: every image
// that the Dockerfile names must exist locally, and if one does not, Build
// says which ones do. The build output reaches log as plain text while the
// build runs; log may be nil. Cancelling ctx aborts the build.
//
// A commit without a Dockerfile is built with a Dockerfile that the builder
// writes for its stack (see Request.Stack and DetectStack), on the stack's
// local base image; the build log says so first.
//
// Errors caused by the commit (no Dockerfile and no stack, a context that is
// too large, a bad symlink, a failing step) are *paas.Error with code
// EINVALID, and their messages say what to fix. A stack whose base image is
// missing is EUNAVAILABLE: the operator makes it.
func (b *Builder) Build(ctx context.Context, req Request, log io.Writer) (imageID string, err error) {
	if err := req.Validate(); err != nil {
		return "", err
	}
	explicitDockerfile := req.Dockerfile != ""
	req.canonicalize()
	if log == nil {
		log = io.Discard
	}
	src, err := openCommit(req.RepoPath, req.Commit)
	if err != nil {
		return "", err
	}
	if err := src.plan(req, explicitDockerfile); err != nil {
		return "", err
	}
	if err := b.checkImages(ctx, src, req.Dockerfile); err != nil {
		return "", err
	}
	if g := src.generated; g != nil {
		req.Dockerfile = g.name
		announceStack(log, g, req.Stack != "")
	}
	src.dockerfilePath = req.Dockerfile
	if src.dockerfilePath == "" {
		src.dockerfilePath = DefaultDockerfile
	}
	buildContext, err := b.packContext(ctx, src)
	if err != nil {
		return "", err
	}
	defer closeAndRemove(buildContext)
	id, err := b.build(ctx, buildContext, req, log)
	if err != nil {
		return "", b.buildError(ctx, req, src, err)
	}
	return id, nil
}

// packContext writes the build context to a temporary file, so that every
// error in the commit surfaces before the daemon is asked for anything and
// the daemon reads at its own pace.
func (b *Builder) packContext(ctx context.Context, src *source) (*os.File, error) {
	f, err := os.CreateTemp("", "paas-build-context-*.tar")
	if err != nil {
		return nil, fmt.Errorf("create build context: %w", err)
	}
	if err := writeContext(ctx, f, src, b.opts.MaxContextBytes); err != nil {
		closeAndRemove(f)
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		closeAndRemove(f)
		return nil, fmt.Errorf("rewind build context: %w", err)
	}
	return f, nil
}

func closeAndRemove(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// build sends the context to the daemon and follows the build to its end.
func (b *Builder) build(ctx context.Context, buildContext io.Reader, req Request, log io.Writer) (string, error) {
	resp, err := b.cli.ImageBuild(ctx, buildContext, build.ImageBuildOptions{
		Tags:        []string{req.Tag},
		Dockerfile:  req.Dockerfile,
		Labels:      req.Labels,
		Remove:      true,
		ForceRemove: true,
		PullParent:  false,
		Version:     build.BuilderV1,
	})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	s := &buildStream{log: log}
	if err := s.decode(resp.Body); err != nil {
		return "", err
	}
	if s.imageID != "" {
		return s.imageID, nil
	}
	// A daemon that sends no aux message with the ID names the image only
	// in text; ask it instead.
	img, err := b.cli.ImageInspect(ctx, req.Tag)
	if err != nil {
		return "", fmt.Errorf("build ended without an image: %w", err)
	}
	return img.ID, nil
}

// buildError explains why the daemon did not build the image.
func (b *Builder) buildError(ctx context.Context, req Request, src *source, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("build %s of commit %s: %w", req.Tag, src.short(), ctxErr)
	}
	var se *stepError
	if errors.As(err, &se) {
		if g := src.generated; g != nil {
			se.Fix = stackFix(g.stack)
		} else if ref := se.fromRef(); ref != "" && b.imageMissing(ctx, ref) {
			return b.missingBaseImage(ctx, baseImage{Ref: ref}, req.Dockerfile)
		}
		return paas.Errorf(paas.EINVALID, "%s", se.Error())
	}
	// The daemon rejects a Dockerfile it cannot parse before the build
	// starts, with a 400 answer rather than a message in the stream.
	if isInvalidParameter(err) {
		detail := strings.TrimPrefix(err.Error(), "Error response from daemon: ")
		return paas.Errorf(paas.EINVALID, "docker build failed: %s; fix the Dockerfile and push again", detail)
	}
	return fmt.Errorf("build %s of commit %s: %w", req.Tag, src.short(), b.unavailable(err))
}

// imageMissing reports whether the daemon knows for sure that ref does not
// exist locally.
func (b *Builder) imageMissing(ctx context.Context, ref string) bool {
	_, err := b.cli.ImageInspect(ctx, ref)
	return isNotFound(err)
}
