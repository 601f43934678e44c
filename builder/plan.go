package builder

import (
	"context"
	"fmt"
	"io"

	"github.com/gitpaas/paas"
)

// plan decides how the commit is built: with its own Dockerfile at
// req.Dockerfile, or with one written for its stack, which it keeps in
// s.generated. A stack named in the request wins over a Dockerfile. Without
// one, a commit that has no Dockerfile gets its stack detected, unless the
// request named the Dockerfile (explicitDockerfile), which must then exist.
func (s *source) plan(req Request, explicitDockerfile bool) error {
	if req.Stack == "" {
		content, found, err := s.findDockerfile(req.Dockerfile)
		switch {
		case err != nil:
			return err
		case found:
			s.dockerfile = content
			return s.checkOwnDockerfile(req)
		case explicitDockerfile:
			return s.noDockerfile(req.Dockerfile)
		}
	}
	name := req.Stack
	if name == "" {
		var err error
		if name, err = detectStack(s); err != nil {
			return err
		}
	}
	g, err := generateDockerfile(s, name, req.BuildCommand)
	if err != nil {
		return err
	}
	s.generated = g
	return nil
}

// checkOwnDockerfile refuses a build command for a commit built with its own
// Dockerfile, which the builder does not rewrite.
func (s *source) checkOwnDockerfile(req Request) error {
	if len(req.BuildCommand) == 0 {
		return nil
	}
	return paas.Errorf(paas.EINVALID, "build.command is set, but commit %s is built with its own Dockerfile (%s), to which the builder adds nothing; put the command in a RUN step of the Dockerfile, or remove build.command from app.yml", s.short(), req.Dockerfile)
}

// checkImages checks that the images the build starts from exist locally:
// the stack's image, or the base images of the commit's Dockerfile.
func (b *Builder) checkImages(ctx context.Context, src *source, dockerfile string) error {
	if g := src.generated; g != nil {
		return b.checkStackImage(ctx, g.stack)
	}
	return b.checkBaseImages(ctx, src.dockerfile, dockerfile)
}

// checkStackImage checks that the base image of stack exists. When it does
// not, the platform is not ready to build, which is no fault of the app.
func (b *Builder) checkStackImage(ctx context.Context, stack string) error {
	ref := StackImage(stack)
	_, err := b.cli.ImageInspect(ctx, ref)
	switch {
	case err == nil:
		return nil
	case isNotFound(err):
		return paas.Errorf(paas.EUNAVAILABLE, "the %s stack cannot build yet: its base image %s is not on this build host; the operator makes it with deploy/images.sh", stack, ref)
	default:
		return fmt.Errorf("inspect stack image %s: %w", ref, b.unavailable(err))
	}
}

// announceStack tells the build log which stack builds the commit, and why,
// and passes on what the stack noticed.
func announceStack(log io.Writer, g *generatedDockerfile, requested bool) {
	if requested {
		fmt.Fprintf(log, "-----> Building with the %s stack (%s), as build.stack says\n", g.stack, StackImage(g.stack))
	} else {
		fmt.Fprintf(log, "-----> No Dockerfile: building with the %s stack (%s)\n", g.stack, StackImage(g.stack))
	}
	for _, n := range g.notes {
		fmt.Fprintf(log, "       %s\n", n)
	}
}

// stackFix is the advice of a failed stack build.
func stackFix(stack string) string {
	return fmt.Sprintf("fix the app (or build.command in app.yml) and push again; the %s stack built it with a generated Dockerfile, which a Dockerfile of your own would replace", stack)
}
