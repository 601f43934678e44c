package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/gitpaas/paas/internal/autoscale"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/api"
	"github.com/gitpaas/paas/builder"
	"github.com/gitpaas/paas/internal/addons"
	"github.com/gitpaas/paas/internal/apps"
	"github.com/gitpaas/paas/internal/auth"
	"github.com/gitpaas/paas/internal/domains"
	"github.com/gitpaas/paas/internal/gitserver"
	"github.com/gitpaas/paas/internal/logbus"
	"github.com/gitpaas/paas/internal/metricsample"
	"github.com/gitpaas/paas/internal/pipeline"
	"github.com/gitpaas/paas/internal/postgres"
	"github.com/gitpaas/paas/internal/routerlog"
	"github.com/gitpaas/paas/internal/secrets"
	"github.com/gitpaas/paas/internal/webhooks"
	"github.com/gitpaas/paas/scheduler"
	"github.com/gitpaas/paas/web"
)

// shutdownGrace is how long in-flight requests, pushes included, may run on
// after a stop signal.
const shutdownGrace = 30 * time.Second

// Main is a running paasd: every part wired together.
type Main struct {
	cfg      Config
	logger   *slog.Logger
	db       *postgres.DB
	listener net.Listener
	server   *http.Server
	pipeline *pipeline.Pipeline
	// reconciler keeps Nomad converged to every app's current release.
	reconciler *pipeline.Reconciler
	webhooks   *webhooks.Service
	health     *health
	// addonBackups takes the daily backups of add-ons.
	addonBackups *addons.Schedule
	// samples keeps the router's recent traffic for the console's charts.
	samples *metricsample.Sampler
	// autoscaler scales web processes on the router's traffic.
	autoscaler *autoscale.Autoscaler
	// domains keeps the custom domains the routers know those of the
	// database.
	domains *domains.Service
}

// Open connects to the database, Docker and Nomad, and binds the listener.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Main, error) {
	db, err := openDatabase(ctx, cfg.DatabaseURL, logger)
	if err != nil {
		return nil, err
	}
	m := &Main{cfg: cfg, logger: logger, db: db}
	if err := m.wire(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return m, nil
}

func (m *Main) wire(ctx context.Context) error {
	cfg := m.cfg
	key, err := secrets.LoadOrCreateKey(filepath.Join(cfg.DataDir, "secret.key"))
	if err != nil {
		return err
	}
	box, err := secrets.New(key)
	if err != nil {
		return err
	}
	m.db.SetCipher(box)
	tokens := auth.New(m.db)
	tokenPath := filepath.Join(cfg.DataDir, "admin-token")
	if created, err := tokens.Bootstrap(ctx, tokenPath); err != nil {
		return err
	} else if created {
		m.logger.Info("created the admin account; its token is in the data dir", "path", tokenPath)
	}
	b, err := builder.New(builder.Options{DockerHost: cfg.DockerHost})
	if err != nil {
		return fmt.Errorf("docker: %w", err)
	}
	runner, err := m.findRunner(cfg)
	if err != nil {
		return err
	}
	sched, err := scheduler.New(scheduler.Options{Address: cfg.NomadAddr, Runner: runner}, m.logger)
	if err != nil {
		return fmt.Errorf("nomad: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	m.listener = ln
	publicURL := strings.TrimSuffix(cfg.PublicURL, "/")
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}
	webURL := func(app string) string { return appURL(app, cfg.Domain, cfg.RouterPort) }
	m.pipeline = pipeline.New(pipeline.Options{AppURL: webURL, ImageRepository: cfg.ImageRepository, KeepWarm: cfg.KeepWarm}, m.db, b, sched, m.logger)
	hook := cfg.HookCommand
	if hook == "" {
		if hook, err = os.Executable(); err != nil {
			return fmt.Errorf("find own binary for the git hook: %w", err)
		}
	}
	git, err := gitserver.New(gitserver.Options{
		ReposDir: filepath.Join(cfg.DataDir, "repos"), HookCommand: hook, HookArgs: []string{"git-hook"},
		HookURL: "http://" + ln.Addr().String() + "/internal/git/hooks",
	}, tokens, m.db, m.pipeline, m.logger)
	if err != nil {
		return err
	}
	git.Audit = api.NewPushAuditor(m.db, m.logger)
	m.reconciler = pipeline.NewReconciler(m.pipeline, sched, m.db, 0)
	m.pipeline.EnableAutoscale(m.db, sched)
	if m.autoscaler, err = autoscale.New(cfg.Autoscale, m.pipeline, m.db, m.logger); err != nil {
		return err
	}
	addonSvc, err := m.wireAddons(sched)
	if err != nil {
		return err
	}
	m.webhooks = webhooks.New(m.db, webhooks.Options{AllowPrivate: cfg.WebhooksAllowPrivate}, m.logger)
	m.domains = domains.New(domains.Options{PlatformDomain: cfg.Domain}, m.db, sched, m.logger)
	logs := logbus.New()
	m.pipeline.SetNotifier(notifiers{m.webhooks, logs})
	m.health = &health{checks: map[string]func(context.Context) error{
		"database": m.db.Ping, "docker": b.Ping, "nomad": sched.Ping}}
	lifecycle := apps.New(m.pipeline, m.db, git, sched, b, cfg.ImageRepository, m.logger)
	handler := api.New(api.Options{
		GitURL:         func(app string) string { return publicURL + "/git/" + app + ".git" },
		WebURL:         webURL,
		SourceURLAllow: cfg.SourceURLAllow,
	}, api.Handlers{
		Auth: tokens, Apps: m.db, Lifecycle: lifecycle,
		Builds: m.db, Releases: m.db, Git: git, GitHooks: git.HookHandler(), Health: m.health,
		Releaser: m.pipeline, Config: m.db, Events: m.db, Idempotency: m.db,
		Sources: sourceDeployer{pipeline: m.pipeline, repos: git}, Webhooks: m.webhooks,
		AppLogs: sched, PlatformLog: logbus.Join(logs, routerlog.New(cfg.RouterLog)),
		Authz: tokens, Accounts: tokens, Users: m.db, Tokens: m.db, Collaborators: m.db, VisibleApps: m.db, Audit: m.db,
		Teams: m.db, TeamMembers: m.db, TeamAccess: m.db,
		Addons: addonSvc, Backups: addonSvc,
		Autoscale: autoscaling{Autoscaler: m.autoscaler, pipeline: m.pipeline},
		Formation: m.pipeline,
		Traffic:   m.pipeline,
		Domains:   m.domains,
	}, m.logger)
	m.samples = metricsample.New(metricsample.Options{URL: cfg.RouterMetricsURL, Interval: cfg.RouterMetricsInterval,
		Instances: webInstances(m.pipeline)}, m.logger)
	m.pipeline.SetTrafficStats(m.samples)
	console := web.New(web.Options{
		WebURL: webURL, GitURL: func(app string) string { return publicURL + "/git/" + app + ".git" },
		SecureCookies: strings.HasPrefix(publicURL, "https://"),
	}, web.Services{
		Accounts: tokens, Tokens: m.db, Authz: tokens, Apps: m.db,
		Creator: lifecycle,
		Builds:  m.db, Releases: m.db, Releaser: m.pipeline, Config: m.db, Addons: addonSvc, Audit: m.db,
		Metrics: m.samples,
		Domains: m.domains, Maintenance: m.pipeline, Canaries: m.pipeline,
		Autoscaling: autoscaling{Autoscaler: m.autoscaler, pipeline: m.pipeline}, Events: m.db,
	}, m.logger)
	m.server = &http.Server{Handler: mount(handler, console), ReadHeaderTimeout: 10 * time.Second}
	m.server.RegisterOnShutdown(console.Shutdown)
	return nil
}

// mount serves the console under web.Prefix, sends browsers at / to it,
// and everything else to the API.
func mount(api, console http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(web.Prefix, console)
	mux.Handle(web.Prefix+"/", console)
	mux.Handle("GET /{$}", http.RedirectHandler(web.Prefix+"/", http.StatusFound))
	mux.Handle("/", api)
	return mux
}

// webInstances counts an app's healthy web instances, for the charts.
func webInstances(p *pipeline.Pipeline) func(ctx context.Context, app string) (int, error) {
	return func(ctx context.Context, app string) (int, error) {
		procs, err := p.Processes(ctx, app)
		n := 0
		for _, ps := range procs {
			if ps.Type == "web" && ps.Healthy {
				n++
			}
		}
		return n, err
	}
}

// Run serves until ctx ends, then drains in-flight requests.
func (m *Main) Run(ctx context.Context) error {
	defer m.db.Close()
	go func() {
		m.recover(ctx)
		m.reconciler.Run(ctx)
	}()
	go m.webhooks.Run(ctx)
	go m.autoscaler.Run(ctx)
	go m.addonBackups.Run(ctx)
	go m.samples.Run(ctx)
	go m.domains.Run(ctx)
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
	m.logger.Info("paasd listening", "addr", m.listener.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := m.server.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// recover fails work a crash interrupted and stops stray jobs, retrying
// while Nomad is not up yet.
func (m *Main) recover(ctx context.Context) {
	for delay := time.Second; ; delay = min(delay*2, 30*time.Second) {
		err := m.pipeline.Recover(ctx)
		if err == nil {
			return
		}
		m.logger.Warn("recovery after restart", "error", err, "retry_in", delay.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}

// openDatabase retries for a while: at boot PostgreSQL may start after us.
func openDatabase(ctx context.Context, dsn string, logger *slog.Logger) (*postgres.DB, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := postgres.Open(ctx, dsn)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			if err != nil {
				return nil, fmt.Errorf("database: %w", err)
			}
			return db, nil
		}
		logger.Warn("database not ready", "error", err)
		time.Sleep(time.Second)
	}
}

func appURL(app, domain string, port int) string {
	if port == 80 {
		return fmt.Sprintf("http://%s.%s/", app, domain)
	}
	return fmt.Sprintf("http://%s.%s:%d/", app, domain, port)
}

// health checks the platform's dependencies for /healthz.
type health struct {
	checks map[string]func(context.Context) error
}

func (h *health) Check(ctx context.Context) map[string]error {
	out := map[string]error{}
	for name, check := range h.checks {
		out[name] = check(ctx)
	}
	return out
}

// sourceDeployer deploys uploaded source trees through the pipeline into
// the git endpoint's repositories.
type sourceDeployer struct {
	pipeline *pipeline.Pipeline
	repos    pipeline.SourceRepo
}

func (d sourceDeployer) DeploySource(ctx context.Context, app string, user *paas.User, dir string, out io.Writer) error {
	return d.pipeline.DeploySource(ctx, d.repos, app, user, dir, out)
}

// notifiers tells every one of its notifiers about each pipeline event.
type notifiers []pipeline.Notifier

func (ns notifiers) Notify(ctx context.Context, app, event string, data any) {
	for _, n := range ns {
		n.Notify(ctx, app, event, data)
	}
}

// findRunner returns the paas-runner binary one-off processes run under:
// the configured one, which must exist, or the one next to paasd. Without
// one paasd still serves, but `paas run` and release commands fail with
// an error that says so.
func (m *Main) findRunner(cfg Config) (string, error) {
	path := cfg.Runner
	if !cfg.RunnerSet {
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find own binary: %w", err)
		}
		path = filepath.Join(filepath.Dir(self), "paas-runner")
	}
	info, err := os.Stat(path)
	switch {
	case err == nil && info.Mode().IsRegular():
		return path, nil
	case cfg.RunnerSet:
		return "", fmt.Errorf("runner %s: not a file (build it with go build ./cmd/paas-runner)", path)
	default:
		m.logger.Warn("paas-runner not found: one-off processes and release commands cannot run", "path", path)
		return "", nil
	}
}
