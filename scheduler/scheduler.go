// Package scheduler runs releases on a HashiCorp Nomad cluster. It is the
// only package that speaks Nomad's API.
//
// Each release of an app is one Nomad service job, "paas-<app>-v<n>", with
// a task group per process type (job.go). Deploy submits it and follows
// its allocations until all are healthy, or explains why they are not
// (deploy.go, failure.go, logs.go). Web instances register in Nomad's own
// service catalogue, which WatchInstances follows for the router
// (catalog.go). Retire and Destroy stop jobs so that instances leave the
// catalogue before they stop serving, then purge them (remove.go).
// Processes and Restart show and replace running instances
// (processes.go); Run runs a one-off command as a batch job (run.go).
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/hashicorp/nomad/api"
)

// Defaults for Options fields left zero.
const (
	DefaultAddress          = "http://127.0.0.1:4646"
	DefaultDatacenter       = "dc1"
	DefaultMinHealthyTime   = 1 * time.Second
	DefaultHealthyDeadline  = 60 * time.Second
	DefaultProgressDeadline = 90 * time.Second
	DefaultShutdownDelay    = 2 * time.Second
	DefaultKillTimeout      = 5 * time.Second
	DefaultCheckInterval    = 1 * time.Second
	DefaultCheckTimeout     = 2 * time.Second
	DefaultCPU              = 100 // MHz
	DefaultMemoryMB         = 128
)

// Options configures a Scheduler. Zero fields take the Default* values.
type Options struct {
	// Address is the URL of a Nomad agent's HTTP API.
	Address string
	// Datacenter is where the jobs run.
	Datacenter string
	// MinHealthyTime is how long an instance must run with passing checks
	// before it counts as healthy. Keep it short: a deploy waits for it.
	MinHealthyTime time.Duration
	// HealthyDeadline is how long an instance may take to become healthy.
	HealthyDeadline time.Duration
	// ProgressDeadline bounds a whole deploy without progress; it must be
	// longer than HealthyDeadline.
	ProgressDeadline time.Duration
	// ShutdownDelay is how long an instance keeps serving after it left the
	// service catalogue, so that the router drops it before it dies.
	ShutdownDelay time.Duration
	// KillTimeout is how long an instance has to exit after SIGTERM before
	// it is killed.
	KillTimeout time.Duration
	// CheckInterval and CheckTimeout shape the HTTP health check of web
	// instances. The interval is also the granularity of a deploy: the
	// first check that passes makes the instance healthy.
	CheckInterval time.Duration
	CheckTimeout  time.Duration
	// CPU (MHz) and MemoryMB are the resources of one instance.
	CPU      int
	MemoryMB int
	// Runner is the absolute path of the paas-runner binary on the Nomad
	// client's host. One-off processes run under it; without it they
	// cannot run.
	Runner string
}

// withDefaults returns o with its zero fields set to the defaults.
func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if o.Address == "" {
		o.Address = DefaultAddress
	}
	if o.Datacenter == "" {
		o.Datacenter = DefaultDatacenter
	}
	def(&o.MinHealthyTime, DefaultMinHealthyTime)
	def(&o.HealthyDeadline, DefaultHealthyDeadline)
	def(&o.ProgressDeadline, max(DefaultProgressDeadline, o.HealthyDeadline+30*time.Second))
	def(&o.ShutdownDelay, DefaultShutdownDelay)
	def(&o.KillTimeout, DefaultKillTimeout)
	def(&o.CheckInterval, DefaultCheckInterval)
	def(&o.CheckTimeout, DefaultCheckTimeout)
	if o.CPU == 0 {
		o.CPU = DefaultCPU
	}
	if o.MemoryMB == 0 {
		o.MemoryMB = DefaultMemoryMB
	}
	return o
}

// Validate reports whether the options, with defaults applied, are usable.
func (o Options) Validate() error {
	o = o.withDefaults()
	u, err := url.Parse(o.Address)
	switch {
	case err != nil || u.Host == "" && u.Scheme != "unix":
		return fmt.Errorf("nomad address %q is not a URL such as %s", o.Address, DefaultAddress)
	case o.MinHealthyTime < 0 || o.ShutdownDelay < 0 || o.KillTimeout < 0 || o.CPU < 0 || o.MemoryMB < 0:
		return errors.New("scheduler durations and resources must not be negative")
	case o.MinHealthyTime >= o.HealthyDeadline:
		return fmt.Errorf("min healthy time %s must be shorter than healthy deadline %s", o.MinHealthyTime, o.HealthyDeadline)
	case o.ProgressDeadline <= o.HealthyDeadline:
		return fmt.Errorf("progress deadline %s must be longer than healthy deadline %s", o.ProgressDeadline, o.HealthyDeadline)
	case o.CheckInterval < time.Second || o.CheckTimeout < time.Second:
		return errors.New("health check interval and timeout must be at least 1s")
	case o.Runner != "" && !filepath.IsAbs(o.Runner):
		return fmt.Errorf("runner %q must be an absolute path: Nomad mounts it into one-off containers", o.Runner)
	}
	return nil
}

// Scheduler places app releases on Nomad. It is safe for concurrent use.
type Scheduler struct {
	client *api.Client
	opts   Options
	log    *slog.Logger
}

// New returns a Scheduler that talks to the Nomad agent at opts.Address.
// It does not contact the agent; call Ping for that.
func New(opts Options, logger *slog.Logger) (*Scheduler, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	client, err := api.NewClient(&api.Config{Address: opts.Address})
	if err != nil {
		return nil, fmt.Errorf("nomad client: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{client: client, opts: opts, log: logger}, nil
}

// Ping reports whether the Nomad agent answers and its cluster has a leader.
func (s *Scheduler) Ping(ctx context.Context) error {
	var leader string
	if _, err := s.client.Raw().Query("/v1/status/leader", &leader, query(ctx)); err != nil {
		return nomadError(err)
	}
	if leader == "" {
		return paas.Errorf(paas.EUNAVAILABLE, "the scheduler has no leader yet; try again in a few seconds")
	}
	return nil
}

// Releases returns, in ascending order, the releases of app that have a
// job which is not stopped.
func (s *Scheduler) Releases(ctx context.Context, app string) ([]int, error) {
	jobs, err := s.appJobs(ctx, app)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, j := range jobs {
		if !j.stopped {
			out = append(out, j.release)
		}
	}
	return out, nil
}

// appJob is one Nomad job that runs a release of an app.
type appJob struct {
	id      string
	release int
	stopped bool
}

// appJobs lists the jobs of app, ordered by release.
func (s *Scheduler) appJobs(ctx context.Context, app string) ([]appJob, error) {
	if err := paas.ValidateAppName(app); err != nil {
		return nil, err
	}
	q := query(ctx)
	q.Prefix = jobPrefix(app)
	stubs, _, err := s.client.Jobs().List(q)
	if err != nil {
		return nil, fmt.Errorf("list jobs of %s: %w", app, nomadError(err))
	}
	var out []appJob
	for _, st := range stubs {
		if rel, ok := parseJobID(app, st.ID); ok {
			out = append(out, appJob{id: st.ID, release: rel, stopped: st.Stop})
		}
	}
	slices.SortFunc(out, func(a, b appJob) int { return a.release - b.release })
	return out, nil
}

// JobID returns the name of the Nomad job that runs release of app.
func JobID(app string, release int) string {
	return jobPrefix(app) + strconv.Itoa(release)
}

func jobPrefix(app string) string { return "paas-" + app + "-v" }

// parseJobID returns the release of app that job id runs. Prefix matching
// alone is not enough: the jobs of app "a-v2" also start with "paas-a-v".
func parseJobID(app, id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, jobPrefix(app))
	if !ok || rest == "" || rest[0] == '0' {
		return 0, false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// query returns query options bound to ctx.
func query(ctx context.Context) *api.QueryOptions {
	return (&api.QueryOptions{}).WithContext(ctx)
}

// write returns write options bound to ctx.
func write(ctx context.Context) *api.WriteOptions {
	return (&api.WriteOptions{}).WithContext(ctx)
}

// nomadError classifies an error from the Nomad API. Context errors pass
// through; an answer from Nomad that is not a success stays an internal
// error; anything else means Nomad could not be reached. The cause stays
// in the chain for the log while users see a short message.
func nomadError(err error) error {
	var ue api.UnexpectedResponseError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &ue) && ue.HasStatusCode():
		return err
	}
	return fmt.Errorf("%w: %w", paas.Errorf(paas.EUNAVAILABLE, "the scheduler (nomad) did not answer; try again later"), err)
}

// isNotFound reports whether Nomad answered 404.
func isNotFound(err error) bool {
	var ue api.UnexpectedResponseError
	if errors.As(err, &ue) {
		return ue.StatusCode() == 404
	}
	return strings.Contains(err.Error(), "404")
}
