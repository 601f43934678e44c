// Package web is the platform's console: server-rendered pages under
// /console for people, on the same services and the same authorization as
// the REST API. Pages are html/template files and the CSS and the small
// script are embedded, so paasd serves the console with nothing to build.
// Every page reads without JavaScript; the script only adds live updates
// (the build log over server-sent events, refreshed charts and processes).
//
// A console session is an API token of the user, made at login with a
// short lifetime and kept in an HttpOnly, SameSite cookie; logging out
// revokes it. Every form carries a CSRF token derived from the session.
package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/metricsample"
)

// Prefix is where the console is mounted.
const Prefix = "/console"

// Options configure the console.
type Options struct {
	// WebURL and GitURL return an app's public address and git remote.
	WebURL func(app string) string
	GitURL func(app string) string
	// SecureCookies marks cookies Secure, for a console served over HTTPS.
	SecureCookies bool
	// SessionTTL is how long a session lasts; zero means DefaultSessionTTL.
	SessionTTL time.Duration
	// LoginPerIP and LoginPerUser bound login attempts; zero values mean
	// DefaultLoginPerIP and DefaultLoginPerUser.
	LoginPerIP, LoginPerUser RateLimit
	// LogPoll is how often a followed build log is read; zero means
	// DefaultLogPoll.
	LogPoll time.Duration
}

// Defaults of Options.
const (
	DefaultSessionTTL = 12 * time.Hour
	DefaultLogPoll    = 500 * time.Millisecond
)

// Accounts logs people in and out and finds who a session is.
type Accounts interface {
	Login(ctx context.Context, name, password, client string) (*paas.User, *paas.Token, string, error)
	Issue(ctx context.Context, by *paas.Identity, name string, scope paas.Scope, ttl time.Duration) (*paas.Token, string, error)
	Authenticate(ctx context.Context, token string) (*paas.Identity, error)
}

// Tokens revokes the token of a session.
type Tokens interface {
	RevokeToken(ctx context.Context, id, userID int64) error
}

// Authorizer is the API's authorization: what a caller may do on an app.
type Authorizer interface {
	Authorize(ctx context.Context, id *paas.Identity, app string, need paas.Permission) error
}

// Apps reads apps.
type Apps interface {
	GetApp(ctx context.Context, name string) (*paas.App, error)
	ListAppsPage(ctx context.Context, after string, limit int) ([]*paas.App, error)
	ListAppsPageOf(ctx context.Context, userID int64, after string, limit int) ([]*paas.App, error)
}

// AppCreator creates apps with their repositories.
type AppCreator interface {
	Create(ctx context.Context, name, owner string) (*paas.App, error)
}

// Builds reads builds and their logs.
type Builds interface {
	ListBuildsPage(ctx context.Context, app string, before int64, limit int) ([]*paas.Build, error)
	GetBuild(ctx context.Context, app string, id int64) (*paas.Build, error)
	BuildLog(ctx context.Context, app string, id int64) ([]byte, error)
}

// Releases reads releases.
type Releases interface {
	ListReleasesPage(ctx context.Context, app string, before, limit int) ([]*paas.Release, error)
}

// Releaser makes the releases that config changes, scaling and rollbacks
// call for, and lists running processes.
type Releaser interface {
	SetConfig(ctx context.Context, app string, user *paas.User, changes map[string]*string, out io.Writer) (*paas.Release, map[string]string, error)
	Rollback(ctx context.Context, app string, user *paas.User, version int, out io.Writer) (*paas.Release, error)
	Scale(ctx context.Context, app string, user *paas.User, counts map[string]int, out io.Writer) (*paas.Release, error)
	Processes(ctx context.Context, app string) ([]paas.ProcessState, error)
}

// Config reads an app's config vars.
type Config interface {
	GetConfig(ctx context.Context, app string) (map[string]string, error)
}

// Addons lists an app's add-ons.
type Addons interface {
	List(ctx context.Context, app string) ([]*paas.Addon, error)
}

// Audit records and lists who did what.
type Audit interface {
	AddAuditEntry(ctx context.Context, e *paas.AuditEntry) error
	ListAuditEntries(ctx context.Context, f paas.AuditFilter) ([]*paas.AuditEntry, error)
}

// Metrics holds recent traffic points per app.
type Metrics interface {
	Points(app string) []metricsample.Point
	Interval() time.Duration
}

// Services are what the console shows and changes. Metrics, Domains,
// Maintenance, Canaries, Autoscaling and Events may be nil: the overview
// then leaves their part out.
type Services struct {
	Accounts Accounts
	Tokens   Tokens
	Authz    Authorizer
	Apps     Apps
	Creator  AppCreator
	Builds   Builds
	Releases Releases
	Releaser Releaser
	Config   Config
	Addons   Addons
	Audit    Audit
	Metrics  Metrics

	Domains     Domains
	Maintenance Maintenance
	Canaries    Canaries
	Autoscaling Autoscaling
	Events      Events
}

// Console serves the console's pages.
type Console struct {
	opts    Options
	svc     Services
	logger  *slog.Logger
	pages   *pages
	perIP   *limiter
	perUser *limiter
	mux     *http.ServeMux
	// closing ends live streams when the server shuts down.
	closing   chan struct{}
	closeOnce sync.Once
}

// New returns the console, to be mounted at Prefix.
func New(opts Options, svc Services, logger *slog.Logger) *Console {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.LoginPerIP == (RateLimit{}) {
		opts.LoginPerIP = DefaultLoginPerIP
	}
	if opts.LoginPerUser == (RateLimit{}) {
		opts.LoginPerUser = DefaultLoginPerUser
	}
	if opts.LogPoll <= 0 {
		opts.LogPoll = DefaultLogPoll
	}
	c := &Console{opts: opts, svc: svc, logger: logger, pages: loadPages(),
		perIP: newLimiter(opts.LoginPerIP, time.Now), perUser: newLimiter(opts.LoginPerUser, time.Now),
		closing: make(chan struct{})}
	c.mux = c.routes()
	return c
}

// Shutdown ends the live streams, which would otherwise hold a graceful
// shutdown of the server until its deadline. Register it with
// http.Server.RegisterOnShutdown.
func (c *Console) Shutdown() { c.closeOnce.Do(func() { close(c.closing) }) }

// ServeHTTP serves the console with the headers every page gets.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	c.mux.ServeHTTP(w, r)
}

func (c *Console) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.Handle("GET "+Prefix+"/static/", http.StripPrefix(Prefix+"/static/", staticFiles()))
	m.HandleFunc("GET "+Prefix+"/login", c.loginPage)
	m.HandleFunc("POST "+Prefix+"/login", c.login)
	m.HandleFunc("POST "+Prefix+"/logout", c.session(c.logout))
	m.HandleFunc("GET "+Prefix+"/{$}", c.session(c.appsPage))
	m.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusFound)
	})
	m.HandleFunc("POST "+Prefix+"/apps", c.session(c.createApp))
	app := Prefix + "/apps/{app}"
	m.HandleFunc("GET "+app, c.app(viewer, c.overviewPage))
	m.HandleFunc("POST "+app+"/scale", c.app(deployer, c.scale))
	m.HandleFunc("GET "+app+"/processes", c.app(viewer, c.processesFragment))
	if c.svc.Maintenance != nil {
		m.HandleFunc("POST "+app+"/maintenance", c.app(deployer, c.setMaintenance))
	}
	if c.svc.Canaries != nil {
		m.HandleFunc("POST "+app+"/canary/promote", c.app(deployer, c.promoteCanary))
		m.HandleFunc("POST "+app+"/canary/abort", c.app(deployer, c.abortCanary))
	}
	if c.svc.Domains != nil {
		m.HandleFunc("POST "+app+"/domains", c.app(owner, c.addDomain))
		m.HandleFunc("POST "+app+"/domains/remove", c.app(owner, c.removeDomain))
	}
	m.HandleFunc("GET "+app+"/builds", c.app(viewer, c.buildsPage))
	m.HandleFunc("GET "+app+"/builds/{id}", c.app(viewer, c.buildPage))
	m.HandleFunc("GET "+app+"/builds/{id}/log", c.app(viewer, c.buildLogStream))
	m.HandleFunc("GET "+app+"/releases", c.app(viewer, c.releasesPage))
	m.HandleFunc("POST "+app+"/rollback", c.app(deployer, c.rollback))
	m.HandleFunc("GET "+app+"/config", c.app(deployer, c.configPage))
	m.HandleFunc("POST "+app+"/config", c.app(deployer, c.setConfig))
	m.HandleFunc("GET "+app+"/addons", c.app(viewer, c.addonsPage))
	m.HandleFunc("GET "+app+"/metrics", c.app(viewer, c.metricsPage))
	m.HandleFunc("GET "+app+"/activity", c.app(ownerReads, c.activityPage))
	m.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, paas.Errorf(paas.ENOTFOUND, "no such page; go back to the apps list"))
	})
	return m
}

// The permissions of the console's pages: the API's for the same things
// (api/authz.go).
var (
	viewer     = paas.Permission{Scope: paas.ScopeRead, Role: paas.RoleViewer}
	deployer   = paas.Permission{Scope: paas.ScopeDeploy, Role: paas.RoleDeployer}
	ownerReads = paas.Permission{Scope: paas.ScopeRead, Role: paas.RoleOwner}
	owner      = paas.Permission{Scope: paas.ScopeAdmin, Role: paas.RoleOwner}
	anyDeploy  = paas.Permission{Scope: paas.ScopeDeploy}
)
