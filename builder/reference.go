package builder

import (
	"regexp"
	"strings"

	"github.com/gitpaas/paas"
)

// The grammar of image references, after github.com/distribution/reference,
// reduced to what the platform names: [host[:port]/]path[:tag].
var (
	domainPattern = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$`)
	pathPattern   = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	tagPattern    = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$`)
)

// maxRepositoryLen is the longest repository name the Engine accepts.
const maxRepositoryLen = 255

// splitTag splits ref into repository and tag. The tag is what follows the
// last colon after the last slash, so a registry port is not a tag.
func splitTag(ref string) (repository, tag string) {
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i+1:], "/") {
		return ref, ""
	}
	return ref[:i], ref[i+1:]
}

// validateTag checks that ref names an image with an explicit tag other
// than latest, such as paas/hello:build-12. Releases must be immutable, and
// Nomad checks a registry again for a :latest image.
func validateTag(ref string) error {
	const hint = "name images repository:tag with an immutable tag, e.g. paas/hello:build-12"
	if strings.Contains(ref, "@") {
		return paas.Errorf(paas.EINVALID, "image name %q has a digest; %s", clip(ref), hint)
	}
	repository, tag := splitTag(ref)
	switch {
	case tag == "":
		return paas.Errorf(paas.EINVALID, "image name %q has no tag; %s", clip(ref), hint)
	case tag == "latest":
		return paas.Errorf(paas.EINVALID, "image name %q uses the tag latest, which is not immutable; %s", clip(ref), hint)
	case !tagPattern.MatchString(tag):
		return paas.Errorf(paas.EINVALID, "image tag %q is not valid; use up to 128 letters, digits, '_', '.' and '-'; %s", clip(tag), hint)
	}
	return validateRepository(repository)
}

// validateRepository checks that repository names an image repository,
// without a tag.
func validateRepository(repository string) error {
	if len(repository) > maxRepositoryLen || !validRepository(repository) {
		return paas.Errorf(paas.EINVALID, "image repository %q is not valid; use lower-case letters, digits and separators (. _ -) in /-separated parts, e.g. paas/hello", clip(repository))
	}
	return nil
}

// validRepository reports whether repository is [host[:port]/]path. As with
// the Engine, the first part is a host only when it has a dot or a port or
// is localhost.
func validRepository(repository string) bool {
	first, rest, ok := strings.Cut(repository, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return domainPattern.MatchString(first) && pathPattern.MatchString(rest)
	}
	return pathPattern.MatchString(repository)
}
