// Package pipeline turns a push into a running release: build the pushed
// commit, record the release, place it on the scheduler, and only then make
// it current. Any failure leaves the previous release serving. It is the one
// place that coordinates the builder and the scheduler; it declares the small
// interfaces it needs from each.
package pipeline

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/builder"
)

// DefaultBuildTimeout bounds a build and its rollout together.
const DefaultBuildTimeout = 30 * time.Minute

// Apps reads apps.
type Apps interface {
	GetApp(ctx context.Context, name string) (*paas.App, error)
	ListApps(ctx context.Context) ([]*paas.App, error)
}

// Builds records builds and their output.
type Builds interface {
	CreateBuild(ctx context.Context, app, commit, ref, createdBy string) (*paas.Build, error)
	StartBuild(ctx context.Context, id int64) error
	FinishBuild(ctx context.Context, id int64, status paas.BuildStatus, image, errMsg string) error
	SetBuildRelease(ctx context.Context, buildID int64, version int) error
	AppendBuildLog(ctx context.Context, id int64, chunk []byte) error
}

// Releases records releases and which one is current.
type Releases interface {
	CreateRelease(ctx context.Context, r *paas.Release) (*paas.Release, error)
	GetRelease(ctx context.Context, app string, version int) (*paas.Release, error)
	SetReleaseStatus(ctx context.Context, app string, version int, status paas.ReleaseStatus, errMsg string) error
	MarkReleaseCurrent(ctx context.Context, app string, version int) error
}

// Config keeps the config vars of apps that have no release yet.
type Config interface {
	GetConfig(ctx context.Context, app string) (map[string]string, error)
	UpdateConfig(ctx context.Context, app string, changes map[string]*string) (map[string]string, error)
}

// Recoverer fails the work a crash interrupted.
type Recoverer interface {
	FailInterrupted(ctx context.Context, reason string) (builds, releases int, err error)
}

// Store is everything the pipeline keeps in the database.
type Store interface {
	Apps
	Builds
	Releases
	Config
	Recoverer
}

// Builder makes an image from a commit, reads the commit's files and the
// image's entrypoint.
type Builder interface {
	Build(ctx context.Context, req builder.Request, log io.Writer) (imageID string, err error)
	ReadFile(ctx context.Context, repoPath, commit, name string, max int64) ([]byte, error)
	Entrypoint(ctx context.Context, image string) ([]string, error)
}

// Scheduler runs releases and one-off processes.
type Scheduler interface {
	Deploy(ctx context.Context, d paas.Deployment, progress io.Writer) error
	Retire(ctx context.Context, app string, keep ...int) error
	// Scale sets the counts of a running release's processes in place.
	Scale(ctx context.Context, d paas.Deployment) error
	// Route and SetRoute read and set which release takes app's traffic.
	Route(ctx context.Context, app string) (paas.Route, error)
	SetRoute(ctx context.Context, r paas.Route) error
	Releases(ctx context.Context, app string) ([]int, error)
	Run(ctx context.Context, o paas.OneOff, out io.Writer) (exitCode int, err error)
	Restart(ctx context.Context, app string, release int, process string) error
	Processes(ctx context.Context, app string) ([]paas.ProcessState, error)
}

// Options configure a Pipeline.
type Options struct {
	// ImageRepository prefixes image names: <prefix>/<app>:build-<id>.
	ImageRepository string
	// AppURL returns the address at which an app is served, for messages.
	AppURL       func(app string) string
	BuildTimeout time.Duration
	// KeepWarm is how long the release that served before a deploy keeps
	// running without traffic, so that rolling back to it only moves
	// traffic.
	KeepWarm time.Duration
}

// Pipeline builds and releases pushes.
type Pipeline struct {
	opts      Options
	store     Store
	builder   Builder
	scheduler Scheduler
	logger    *slog.Logger

	notifier Notifier
	addons   Addons // provisions what app.yml declares; may be nil

	autoscale AutoscaleStore // policies and scaled counts; may be nil
	scaler    Scaler

	mu    sync.Mutex
	locks map[string]*sync.Mutex // by app: one release change at a time
	// warm holds, by app, the releases that stay running without traffic
	// and until when.
	warm map[string]map[int]time.Time
	// canaries are the canaries in progress, by app.
	canaries map[string]*canary
	stats    TrafficStats // may be nil
}

// Notifier tells the outside world (webhooks) about build and release
// events. It must not block for long or fail its caller.
type Notifier interface {
	Notify(ctx context.Context, app, event string, data any)
}

// SetNotifier sets who hears about builds and releases.
func (p *Pipeline) SetNotifier(n Notifier) { p.notifier = n }

func (p *Pipeline) notify(ctx context.Context, app, event string, data any) {
	if p.notifier != nil {
		p.notifier.Notify(ctx, app, event, data)
	}
}

// New returns a Pipeline.
func New(opts Options, store Store, b Builder, s Scheduler, logger *slog.Logger) *Pipeline {
	if opts.ImageRepository == "" {
		opts.ImageRepository = "paas"
	}
	if opts.BuildTimeout == 0 {
		opts.BuildTimeout = DefaultBuildTimeout
	}
	if opts.AppURL == nil {
		opts.AppURL = func(app string) string { return app }
	}
	if opts.KeepWarm == 0 {
		opts.KeepWarm = DefaultKeepWarm
	}
	return &Pipeline{opts: opts, store: store, builder: b, scheduler: s, logger: logger, locks: map[string]*sync.Mutex{},
		warm: map[string]map[int]time.Time{}, canaries: map[string]*canary{}}
}

// LockApp serialises the changes that make releases of app (the release
// step of a push, config changes, scaling, rollbacks, drift repair, and
// destroying the app) so each starts from the state the previous one left.
// It returns the unlock.
func (p *Pipeline) LockApp(app string) func() { return p.lockApp(app) }

func (p *Pipeline) lockApp(app string) func() {
	p.mu.Lock()
	l, ok := p.locks[app]
	if !ok {
		l = &sync.Mutex{}
		p.locks[app] = l
	}
	p.mu.Unlock()
	l.Lock()
	return l.Unlock
}
