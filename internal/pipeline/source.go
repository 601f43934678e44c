package pipeline

import (
	"context"
	"io"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/gitserver"
)

// SourceRepo turns an uploaded source tree into a commit of the app's
// repository and publishes it on the main branch.
type SourceRepo interface {
	CommitSource(ctx context.Context, app string, user *paas.User, dir string) (*gitserver.SourceCommit, error)
	Publish(ctx context.Context, c *gitserver.SourceCommit) error
	RepoPath(app string) string
}

// DeploySource builds and releases the source tree in dir as if it had
// been pushed to main: the same build, release and rollout, the same
// output. The main branch moves only when the release succeeds, so git
// history stays the record of what was released.
func (p *Pipeline) DeploySource(ctx context.Context, repo SourceRepo, app string, user *paas.User, dir string, out io.Writer) error {
	if _, err := p.store.GetApp(ctx, app); err != nil {
		return err
	}
	c, err := repo.CommitSource(ctx, app, user, dir)
	if err != nil {
		return err
	}
	old := c.Parent
	if old == "" {
		old = zeroHash
	}
	push := gitserver.Push{App: app, User: user, RepoPath: repo.RepoPath(app),
		Updates: []gitserver.RefUpdate{{Old: old, New: c.Commit, Ref: "refs/heads/main"}}}
	if err := p.HandlePush(ctx, push, out); err != nil {
		return err
	}
	return repo.Publish(context.WithoutCancel(ctx), c)
}
