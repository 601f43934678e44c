package cli

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

// defaultRemote is the git remote that names the app of a repository.
const defaultRemote = "paas"

// appFlags are the flags that say which app a command acts on.
type appFlags struct {
	app    string
	remote string
}

// register adds --app/-a and --remote to cmd.
func (f *appFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.app, "app", "a", "", "app to act on (default: the app of the git remote)")
	cmd.Flags().StringVar(&f.remote, "remote", defaultRemote, "git remote to find the app in when --app is absent")
}

// resolve returns the app named by --app, else the app whose git URL the
// remote of the current repository points at.
func (f *appFlags) resolve(ctx context.Context, e *env) (string, error) {
	if f.app != "" {
		return f.app, nil
	}
	return appFromRemote(ctx, gitRepo{dir: e.dir}, f.remote)
}

// resolveWithClient returns the app resolve names and an API client: what
// nearly every command on an app needs first.
func (f *appFlags) resolveWithClient(ctx context.Context, e *env) (string, *apiclient.Client, error) {
	app, err := f.resolve(ctx, e)
	if err != nil {
		return "", nil, err
	}
	c, err := e.client()
	if err != nil {
		return "", nil, err
	}
	return app, c, nil
}

// appFromRemote reads the app name from the URL of a git remote.
func appFromRemote(ctx context.Context, g gitRepo, remote string) (string, error) {
	raw, ok, err := g.remoteURL(ctx, remote)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("no app specified; use --app NAME or run inside a repository with a %q git remote (paas git:remote -a NAME)", remote)
	}
	name, ok := appFromGitURL(raw)
	if !ok {
		return "", fmt.Errorf("git remote %q points at %s, which is not a paas app URL like http://HOST/git/APP.git; use --app NAME or fix the remote with: paas git:remote -a NAME --remote %s",
			remote, redactURL(raw), remote)
	}
	return name, nil
}

// appFromGitURL returns APP from a remote URL such as
// http://host:port/git/APP.git, the form the API gives as git_url.
func appFromGitURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	dir, file := path.Split(strings.TrimSuffix(u.Path, "/"))
	name, ok := strings.CutSuffix(file, ".git")
	if !ok || name == "" || path.Base(dir) != "git" {
		return "", false
	}
	return name, true
}

// redactURL drops the user name and password that a URL may carry, either
// of which may be a token, before the URL is shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unparsable URL)"
	}
	u.User = nil
	return u.String()
}
