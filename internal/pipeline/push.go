package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/appspec"
	"github.com/gitpaas/paas/internal/gitserver"
)

var _ gitserver.PushHandler = (*Pipeline)(nil)

const zeroHash = "0000000000000000000000000000000000000000"

// HandlePush builds the pushed main or master branch and releases it. The
// build output and rollout progress go to out, which reaches the pusher.
func (p *Pipeline) HandlePush(ctx context.Context, push gitserver.Push, out io.Writer) error {
	update, err := deployableUpdate(push.Updates)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, p.opts.BuildTimeout)
	defer cancel()
	b, err := p.store.CreateBuild(ctx, push.App, update.New, update.Ref, push.User.Name)
	if err != nil {
		return err
	}
	log := p.logger.With("app", push.App, "build", b.ID)
	log.Info("build started", "commit", update.New)
	p.notify(ctx, b.App, "build.started", buildEvent{ID: b.ID, Commit: b.Commit, By: b.CreatedBy})
	spec, appYML, err := p.loadSpec(ctx, push.RepoPath, update.New, out)
	if err != nil {
		p.finishBuild(b.ID, paas.BuildFailed, "", err)
		return err
	}
	image, err := p.build(ctx, b, push.RepoPath, spec, out)
	if err != nil {
		log.Info("build failed", "error", err)
		p.notify(ctx, b.App, paas.EventBuildFailed, buildEvent{ID: b.ID, Commit: b.Commit, Error: paas.ErrorMessage(err)})
		return err
	}
	p.notify(ctx, b.App, paas.EventBuildSucceeded, buildEvent{ID: b.ID, Commit: b.Commit, Image: image})
	return p.release(ctx, b, image, releaseSpec(spec), appYML, out)
}

// deployableUpdate picks the one branch update a push may deploy.
func deployableUpdate(updates []gitserver.RefUpdate) (gitserver.RefUpdate, error) {
	if len(updates) != 1 {
		return gitserver.RefUpdate{}, paas.Errorf(paas.EINVALID,
			"push one branch at a time: only main or master is deployed (for example: git push paas main)")
	}
	u := updates[0]
	branch, isBranch := strings.CutPrefix(u.Ref, "refs/heads/")
	switch {
	case !isBranch:
		return u, paas.Errorf(paas.EINVALID, "pushed %s, which is not a branch; deploy a branch with: git push paas main", u.Ref)
	case branch != "main" && branch != "master":
		return u, paas.Errorf(paas.EINVALID,
			"pushed branch %q; only main or master is deployed. Deploy it with: git push paas %s:main", branch, branch)
	case u.New == zeroHash:
		return u, paas.Errorf(paas.EINVALID, "deleting %s is not allowed; destroy the app with: paas apps:destroy", branch)
	}
	return u, nil
}

// build runs the image build, recording its outcome and output.
func (p *Pipeline) build(ctx context.Context, b *paas.Build, repo string, spec *appspec.Spec, out io.Writer) (string, error) {
	fmt.Fprintf(out, "-----> Building %s from commit %s (build %d)\n", b.App, short(b.Commit), b.ID)
	logw := newBuildLog(ctx, p.store, b.ID, out)
	image := fmt.Sprintf("%s/%s:build-%d", p.opts.ImageRepository, b.App, b.ID)
	err := p.store.StartBuild(ctx, b.ID)
	if err == nil {
		_, err = p.builder.Build(ctx, buildRequest(repo, b.Commit, image, b.App, spec), logw)
	}
	logw.Close()
	if err != nil {
		err = userError(err, "build failed")
		p.finishBuild(b.ID, paas.BuildFailed, "", err)
		return "", err
	}
	return image, nil
}

// release records a release of image and rolls it out. The release becomes
// current only once the scheduler reports it healthy.
func (p *Pipeline) release(ctx context.Context, b *paas.Build, image string, spec paas.ReleaseSpec, appYML string, out io.Writer) error {
	unlock := p.lockApp(b.App)
	defer unlock()
	next := &paas.Release{App: b.App, Image: image, BuildID: b.ID, Reason: paas.ReasonDeploy,
		Description: "Deploy " + short(b.Commit), CreatedBy: b.CreatedBy, Spec: spec, AppYML: appYML}
	if err := p.inherit(ctx, next); err != nil {
		p.finishBuild(b.ID, paas.BuildFailed, image, err)
		return err
	}
	p.finishBuild(b.ID, paas.BuildSucceeded, image, nil)
	if err := p.provisionAddons(ctx, next, out); err != nil {
		return err
	}
	_, err := p.releaseAndRollout(ctx, next, true, out)
	return err
}

// inherit gives a pushed release the app's config vars and keeps the counts
// of process types the current release already runs (set with ps:scale),
// as Heroku does; new process types start at the count app.yml declares.
func (p *Pipeline) inherit(ctx context.Context, next *paas.Release) error {
	cfg, err := p.store.GetConfig(ctx, next.App)
	if err != nil {
		return err
	}
	next.Config = cfg
	cur, err := p.currentRelease(ctx, next.App)
	if paas.ErrorCode(err) == paas.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	for i, proc := range next.Spec.Formation {
		if old, ok := cur.Spec.Process(proc.Type); ok {
			next.Spec.Formation[i].Count = old.Count
		}
	}
	return nil
}

// releaseAndRollout records next as a new release and rolls it out: the
// release command first (when asked and declared), then the processes. It
// becomes current only once healthy; on any failure the previous release
// keeps serving. The caller holds the app's lock.
func (p *Pipeline) releaseAndRollout(ctx context.Context, next *paas.Release, releasePhase bool, out io.Writer) (*paas.Release, error) {
	r, err := p.store.CreateRelease(ctx, next)
	if err != nil {
		return nil, err
	}
	if r.BuildID != 0 && r.Reason == paas.ReasonDeploy {
		if err := p.store.SetBuildRelease(ctx, r.BuildID, r.Version); err != nil {
			p.logger.Error("link build to release", "app", r.App, "build", r.BuildID, "error", err)
		}
	}
	fmt.Fprintf(out, "-----> Launching v%d (%s)\n", r.Version, r.Description)
	if releasePhase && len(r.Spec.ReleaseCommand) > 0 {
		if err := p.releasePhase(ctx, r, out); err != nil {
			return nil, err
		}
	}
	canary, err := p.rollout(ctx, r, out)
	if err != nil {
		return nil, err
	}
	if canary {
		r.Status = paas.ReleaseDeploying
		return r, nil
	}
	r.Status = paas.ReleaseSucceeded
	fmt.Fprintf(out, "-----> Released v%d\n       %s deployed\n", r.Version, p.opts.AppURL(r.App))
	return r, nil
}

// releasePhase runs the release command once; a failure aborts the release
// before any process of it starts.
func (p *Pipeline) releasePhase(ctx context.Context, r *paas.Release, out io.Writer) error {
	fmt.Fprintf(out, "-----> Running release command: %s\n", strings.Join(r.Spec.ReleaseCommand, " "))
	o, err := p.oneOffOf(ctx, r, r.Spec.ReleaseCommand)
	code := 0
	if err == nil {
		code, err = p.scheduler.Run(ctx, o, indent(out))
	}
	if err == nil && code != 0 {
		err = paas.Errorf(paas.EINVALID, "the release command exited with code %d; fix it and push again", code)
	}
	if err != nil {
		err = userError(err, "release command")
		p.failRelease(r, err)
		return previousStillServing(ctx, p.store, r, err)
	}
	return nil
}

// rollout deploys r beside the release that serves, then moves the traffic
// to it in one step and makes it current (blue-green), or, for a push of
// an app whose strategy is canary, starts a canary. The release that
// served stays warm for KeepWarm; older ones are retired in the
// background, so the push returns as soon as the new release serves.
func (p *Pipeline) rollout(ctx context.Context, r *paas.Release, out io.Writer) (canaryStarted bool, err error) {
	log := p.logger.With("app", r.App, "release", r.Version)
	// A release that changes the app while a canary runs replaces it.
	p.abortCanaryLocked(r.App, fmt.Sprintf("superseded by v%d", r.Version))
	_ = p.store.SetReleaseStatus(ctx, r.App, r.Version, paas.ReleaseDeploying, "")
	if err := p.scheduler.Deploy(ctx, deploymentOf(r), indent(out)); err != nil {
		err = userError(err, fmt.Sprintf("release v%d failed to start", r.Version))
		p.failRelease(r, err)
		log.Info("release failed", "error", err)
		return false, previousStillServing(ctx, p.store, r, err)
	}
	app, err := p.store.GetApp(ctx, r.App)
	if err != nil {
		p.failRelease(r, err)
		return false, err
	}
	if c := r.Spec.Canary; c != nil && r.Spec.Strategy == paas.StrategyCanary && r.Reason == paas.ReasonDeploy && app.Release != 0 {
		if err := p.startCanary(ctx, r, app.Release, out); err != nil {
			p.failRelease(r, err)
			go p.retireIdle(r.App)
			return false, previousStillServing(ctx, p.store, r, err)
		}
		return true, nil
	}
	if err := p.switchTraffic(ctx, r.App, r.Version, app.Release); err != nil {
		err = userError(err, fmt.Sprintf("moving traffic to v%d", r.Version))
		p.failRelease(r, err)
		go p.retireIdle(r.App)
		return false, previousStillServing(ctx, p.store, r, err)
	}
	if err := p.store.MarkReleaseCurrent(ctx, r.App, r.Version); err != nil {
		p.failRelease(r, err)
		return false, err
	}
	log.Info("release current", "reason", r.Reason)
	event := paas.EventReleaseSucceeded
	if r.Reason == paas.ReasonRollback {
		event = paas.EventRolledBack
	}
	p.notify(ctx, r.App, event, releaseEvent{Version: r.Version, Reason: r.Reason, Description: r.Description, By: r.CreatedBy})
	go p.retireIdle(r.App)
	return false, nil
}

// previousStillServing adds to err which release keeps serving, so the
// pusher knows nothing broke.
func previousStillServing(ctx context.Context, apps Apps, r *paas.Release, err error) error {
	app, aerr := apps.GetApp(ctx, r.App)
	if aerr != nil || app.Release == 0 {
		return err
	}
	return paas.Errorf(paas.ErrorCode(err), "%s\nv%d is still serving.", paas.ErrorMessage(err), app.Release)
}

func (p *Pipeline) failRelease(r *paas.Release, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.notify(ctx, r.App, paas.EventReleaseFailed, releaseEvent{Version: r.Version, Reason: r.Reason,
		Description: r.Description, By: r.CreatedBy, Error: paas.ErrorMessage(err)})
	if serr := p.store.SetReleaseStatus(ctx, r.App, r.Version, paas.ReleaseFailed, paas.ErrorMessage(err)); serr != nil {
		p.logger.Error("record failed release", "app", r.App, "release", r.Version, "error", serr)
	}
}

// finishBuild records a build's outcome even when the push's context is
// already gone (the pusher hung up).
func (p *Pipeline) finishBuild(id int64, status paas.BuildStatus, image string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ferr := p.store.FinishBuild(ctx, id, status, image, paas.ErrorMessage(err)); ferr != nil {
		p.logger.Error("record build outcome", "build", id, "error", ferr)
	}
}

// userError keeps an error's user-facing message, or replaces an internal
// error's with what failed, since internal detail is for the log only.
func userError(err error, what string) error {
	var e *paas.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return paas.Errorf(paas.EUNAVAILABLE, "%s: timed out; try again, or check the platform log", what)
	}
	if errors.Is(err, context.Canceled) {
		return paas.Errorf(paas.EUNAVAILABLE, "%s: cancelled", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func short(commit string) string {
	if len(commit) > 7 {
		return commit[:7]
	}
	return commit
}

// buildEvent and releaseEvent are the data of webhook deliveries. They hold
// no config var values.
type buildEvent struct {
	ID     int64  `json:"id"`
	Commit string `json:"commit"`
	By     string `json:"by,omitempty"`
	Image  string `json:"image,omitempty"`
	Error  string `json:"error,omitempty"`
}

type releaseEvent struct {
	Version     int                `json:"version"`
	Reason      paas.ReleaseReason `json:"reason"`
	Description string             `json:"description"`
	By          string             `json:"by"`
	Error       string             `json:"error,omitempty"`
}
