package builder

import (
	"context"
	"strings"

	"github.com/gitpaas/paas"
)

// DetectStack returns the stack that Build uses for commit of the bare
// repository at repoPath when the commit has no Dockerfile. It judges by the
// files at the root of the commit, trying in turn: go.mod (go),
// package.json (node), requirements.txt or pyproject.toml (python), and
// index.html or public/index.html (static). It does not look for a
// Dockerfile. A commit with none of those files is a paas.EINVALID error.
func (b *Builder) DetectStack(ctx context.Context, repoPath, commit string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	src, err := openCommit(repoPath, commit)
	if err != nil {
		return "", err
	}
	return detectStack(src)
}

// detectStack returns the first stack one of whose marker files t has.
func detectStack(t tree) (string, error) {
	for _, s := range stacks {
		for _, m := range s.markers {
			if t.kind(m) == kindFile {
				return s.name, nil
			}
		}
	}
	if err := t.err(); err != nil {
		return "", err
	}
	return "", paas.Errorf(paas.EINVALID, "no Dockerfile and no recognised stack in commit %s: add a Dockerfile, or an app.yml with build.stack (%s)", t.short(), strings.Join(Stacks(), ", "))
}
