package builder

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"github.com/gitpaas/paas"
)

// maxListedBaseImages bounds the list of base images an error message names.
const maxListedBaseImages = 20

// checkBaseImages checks that every image the Dockerfile builds on exists
// locally. The classic builder would try to pull a missing one, which cannot
// work here and may take long to fail.
func (b *Builder) checkBaseImages(ctx context.Context, dockerfile []byte, name string) error {
	for _, base := range baseImages(dockerfile) {
		_, err := b.cli.ImageInspect(ctx, base.Ref)
		switch {
		case err == nil:
		case isNotFound(err):
			return b.missingBaseImage(ctx, base, name)
		case isInvalidParameter(err):
			return paas.Errorf(paas.EINVALID, "%s line %d names the image %q, which is not a valid image name; fix it and push again", name, base.Line, clip(base.Ref))
		default:
			return fmt.Errorf("inspect base image %s: %w", base.Ref, b.unavailable(err))
		}
	}
	return nil
}

// missingBaseImage explains that base does not exist and cannot be pulled,
// and names the base images that do exist.
func (b *Builder) missingBaseImage(ctx context.Context, base baseImage, dockerfile string) error {
	where := dockerfile
	if base.Line > 0 {
		where = fmt.Sprintf("%s line %d", dockerfile, base.Line)
	}
	msg := fmt.Sprintf("%s uses the image %q, which does not exist on this build host, and nothing can be pulled here (no registry is reachable)", where, clip(base.Ref))
	available, err := b.BaseImages(ctx)
	switch {
	case err != nil:
		return paas.Errorf(paas.EINVALID, "%s; use one of the local base images in FROM and push again", msg)
	case len(available) == 0:
		return paas.Errorf(paas.EINVALID, "%s, and no base images exist yet; the operator makes them with deploy/images.sh", msg)
	}
	list := available
	if len(list) > maxListedBaseImages {
		list = append(slices.Clone(list[:maxListedBaseImages]), fmt.Sprintf("and %d more", len(available)-maxListedBaseImages))
	}
	return paas.Errorf(paas.EINVALID, "%s; use one of the local base images in FROM and push again: %s", msg, strings.Join(list, ", "))
}

// BaseImages returns the references (repository:tag) of the local images
// that a Dockerfile may build on, sorted: every tagged image except the app
// images that Build made, which carry BaseImageLabel=false.
func (b *Builder) BaseImages(ctx context.Context) ([]string, error) {
	images, err := b.cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("dangling", "false"))})
	if err != nil {
		return nil, fmt.Errorf("list images: %w", b.unavailable(err))
	}
	var refs []string
	for _, img := range images {
		if img.Labels[BaseImageLabel] == "false" {
			continue
		}
		for _, ref := range img.RepoTags {
			if ref != "<none>:<none>" {
				refs = append(refs, ref)
			}
		}
	}
	slices.Sort(refs)
	return slices.Compact(refs), nil
}

// Tag gives the image source (an ID or a reference) the name target, such
// as "paas/hello:v3". The target must have a tag other than latest.
func (b *Builder) Tag(ctx context.Context, source, target string) error {
	if err := validateTag(target); err != nil {
		return err
	}
	err := b.cli.ImageTag(ctx, source, target)
	switch {
	case err == nil:
		return nil
	case isNotFound(err):
		return paas.Errorf(paas.ENOTFOUND, "image %q does not exist; build it first", clip(source))
	default:
		return fmt.Errorf("tag %s as %s: %w", source, target, b.unavailable(err))
	}
}

// RemoveRepository removes every tag of repository, such as "paas/hello",
// and the images that no other tag or container holds. A repository with no
// images is not an error.
func (b *Builder) RemoveRepository(ctx context.Context, repository string) error {
	if _, tag := splitTag(repository); tag != "" || strings.Contains(repository, "@") {
		return paas.Errorf(paas.EINVALID, "%q is an image, not a repository; name the repository without a tag, e.g. paas/hello", clip(repository))
	}
	if err := validateRepository(repository); err != nil {
		return err
	}
	refs, err := b.repositoryTags(ctx, repository)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		// Force removes the tag even when a stopped container still uses
		// the image; the image itself stays until nothing uses it.
		_, err := b.cli.ImageRemove(ctx, ref, image.RemoveOptions{Force: true, PruneChildren: true})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("remove image %s: %w", ref, b.unavailable(err))
		}
	}
	return nil
}

// repositoryTags returns the references of repository's tags.
func (b *Builder) repositoryTags(ctx context.Context, repository string) ([]string, error) {
	images, err := b.cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("reference", repository))})
	if err != nil {
		return nil, fmt.Errorf("list images of %s: %w", repository, b.unavailable(err))
	}
	var refs []string
	for _, img := range images {
		for _, ref := range img.RepoTags {
			if repo, _ := splitTag(ref); repo == repository {
				refs = append(refs, ref)
			}
		}
	}
	return refs, nil
}

// Entrypoint returns the entrypoint of a built image, which a one-off
// process keeps when it runs under the platform's runner.
func (b *Builder) Entrypoint(ctx context.Context, ref string) ([]string, error) {
	img, err := b.cli.ImageInspect(ctx, ref)
	if isNotFound(err) {
		return nil, paas.Errorf(paas.ENOTFOUND, "image %s is gone from the Docker Engine; push again to rebuild it", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("inspect image %s: %w", ref, b.unavailable(err))
	}
	if img.Config == nil {
		return nil, nil
	}
	return img.Config.Entrypoint, nil
}
