// Package api is the platform's REST API on gin: JSON under /v1, token
// authentication, a declared rule per route that authorization enforces
// (authz.go), an audit log of changes, one error shape. It also mounts the
// git endpoint and the hook callback, which are plain http.Handlers. It is
// the only package that imports gin.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Options configure the API.
type Options struct {
	// GitURL and WebURL return an app's git remote and public address.
	GitURL func(app string) string
	WebURL func(app string) string
	// MaxBodyBytes bounds JSON request bodies.
	MaxBodyBytes int64
	// SourceURLAllow lists the URL prefixes from which POST …/builds may
	// fetch a source archive; empty allows none.
	SourceURLAllow []string
	// LoginPerIP and LoginPerUser bound login attempts per client address
	// and per user name; zero values mean DefaultLoginPerIP and
	// DefaultLoginPerUser.
	LoginPerIP, LoginPerUser RateLimit
}

// Handlers are the parts the API serves.
type Handlers struct {
	Auth      Authenticator
	Apps      AppStore
	Lifecycle AppLifecycle
	Builds    BuildStore
	Releases  ReleaseStore
	Git       http.Handler // /git/<app>.git/…
	GitHooks  http.Handler // /internal/git/hooks/<push id>
	Health    HealthChecker
	Releaser  Releaser
	Config    ConfigReader
	Events    EventLister
	// Idempotency keeps responses to POSTs sent with an Idempotency-Key;
	// nil turns the header off.
	Idempotency IdempotencyStore
	Sources     SourceDeployer
	Webhooks    Webhooks
	AppLogs     AppLogs
	PlatformLog PlatformLog
	// Accounts, authorization and the audit log (docs/security.md).
	Authz         Authorizer
	Accounts      Accounts
	Users         UserLister
	Tokens        TokenStore
	Collaborators CollaboratorStore
	VisibleApps   VisibleApps
	Audit         AuditStore
	// Teams, their members and their roles on apps.
	Teams       TeamStore
	TeamMembers TeamMemberStore
	TeamAccess  TeamAccessStore

	// Add-ons and their backups (docs/addons.md).
	Addons  AddonService
	Backups BackupService

	// Autoscale shows and sets autoscaling policies and wakes apps that
	// scaled to zero (docs/autoscaling.md).
	Autoscale Autoscaling
	// Formation reads what runs, with the autoscaler's counts; nil reads
	// the counts the current release recorded.
	Formation FormationReader

	// Traffic is maintenance mode and canaries (docs/router.md).
	Traffic Traffic
	// Domains are the apps' custom domains (docs/router.md).
	Domains Domains
}

// New returns the platform's HTTP handler.
func New(opts Options, h Handlers, logger *slog.Logger) http.Handler {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.LoginPerIP == (RateLimit{}) {
		opts.LoginPerIP = DefaultLoginPerIP
	}
	if opts.LoginPerUser == (RateLimit{}) {
		opts.LoginPerUser = DefaultLoginPerUser
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// No proxy is trusted: ClientIP is the peer address unless an operator
	// puts the API behind a proxy and says so.
	_ = e.SetTrustedProxies(nil)
	e.HandleMethodNotAllowed = true
	e.Use(requestID(), accessLog(logger), recovery(logger), errorResponder(logger))
	e.NoRoute(func(c *gin.Context) { c.Error(notFoundRoute(c)) })
	e.NoMethod(func(c *gin.Context) { c.Error(methodNotAllowed(c)) })

	e.GET("/healthz", healthz(h.Health))
	e.Any("/git/*path", gin.WrapH(h.Git))
	e.POST("/internal/git/hooks/:id", gin.WrapH(h.GitHooks))
	as := &autoscaleHandlers{apps: h.Apps, autoscale: h.Autoscale}
	e.POST("/internal/apps/:app/wake", as.wake)

	login := &loginHandlers{accounts: h.Accounts,
		perIP: newLimiter(opts.LoginPerIP, time.Now), perUser: newLimiter(opts.LoginPerUser, time.Now)}
	e.POST("/v1/login", audit(h.Audit, logger), limitBody(opts.MaxBodyBytes), login.login)
	// Every route of v1 has a rule in authz.go that authorize enforces.
	v1 := e.Group("/v1", authenticate(h.Auth), audit(h.Audit, logger), authorize(h.Authz),
		limitBody(opts.MaxBodyBytes), idempotency(h.Idempotency))
	v1.GET("/openapi.json", serveOpenAPI())
	v1.GET("/whoami", whoami)
	users := &userHandlers{accounts: h.Accounts, users: h.Users}
	v1.GET("/users", users.list)
	v1.POST("/users", users.create)
	tokens := &tokenHandlers{accounts: h.Accounts, tokens: h.Tokens}
	v1.GET("/tokens", tokens.list)
	v1.POST("/tokens", limitPerUser(newLimiter(DefaultTokenCreates, time.Now), "new tokens"), tokens.create)
	v1.DELETE("/tokens/:id", tokens.revoke)
	v1.GET("/audit", (&auditHandlers{store: h.Audit, authz: h.Authz}).list)
	teams := &teamHandlers{teams: h.Teams, members: h.TeamMembers}
	v1.GET("/teams", teams.list)
	v1.POST("/teams", teams.create)
	v1.DELETE("/teams/:team", teams.destroy)
	v1.GET("/teams/:team/members", teams.listMembers)
	v1.PUT("/teams/:team/members/:user", teams.addMember)
	v1.DELETE("/teams/:team/members/:user", teams.removeMember)
	apps := &appHandlers{store: h.Apps, lifecycle: h.Lifecycle, events: h.Events, visible: h.VisibleApps, opts: opts}
	v1.GET("/apps", apps.list)
	v1.POST("/apps", apps.create)
	v1.GET("/apps/:app", apps.show)
	v1.DELETE("/apps/:app", apps.destroy)
	access := &accessHandlers{store: h.Collaborators}
	v1.GET("/apps/:app/access", access.list)
	v1.PUT("/apps/:app/access/:user", access.set)
	v1.DELETE("/apps/:app/access/:user", access.remove)
	teamAccess := &teamAccessHandlers{store: h.TeamAccess}
	v1.PUT("/apps/:app/access/teams/:team", teamAccess.set)
	v1.DELETE("/apps/:app/access/teams/:team", teamAccess.remove)
	builds := &buildHandlers{store: h.Builds, apps: h.Apps}
	v1.GET("/apps/:app/builds", builds.list)
	v1.POST("/apps/:app/builds", (&sourceHandlers{apps: h.Apps, deployer: h.Sources, allow: opts.SourceURLAllow, client: sourceFetchClient()}).create)
	v1.GET("/apps/:app/builds/:id", builds.show)
	v1.GET("/apps/:app/builds/:id/log", builds.log)
	releases := &releaseHandlers{store: h.Releases, apps: h.Apps}
	v1.GET("/apps/:app/releases", releases.list)
	v1.GET("/apps/:app/releases/:version", releases.show)
	lc := &lifecycleHandlers{apps: h.Apps, config: h.Config, releases: h.Releases, releaser: h.Releaser, formations: h.Formation}
	v1.GET("/apps/:app/config", lc.getConfig)
	v1.PATCH("/apps/:app/config", lc.patchConfig)
	v1.POST("/apps/:app/rollback", lc.rollback)
	v1.GET("/apps/:app/formation", lc.getFormation)
	v1.PATCH("/apps/:app/formation", lc.scale)
	v1.GET("/apps/:app/ps", lc.ps)
	v1.POST("/apps/:app/ps/restart", lc.restart)
	v1.POST("/apps/:app/runs", lc.run)
	tr := &trafficHandlers{apps: h.Apps, traffic: h.Traffic}
	v1.GET("/apps/:app/maintenance", tr.maintenance)
	v1.PUT("/apps/:app/maintenance", tr.setMaintenance)
	v1.GET("/apps/:app/canary", tr.canary)
	v1.POST("/apps/:app/canary/promote", tr.promote)
	v1.POST("/apps/:app/canary/abort", tr.abort)
	v1.GET("/apps/:app/autoscale", as.list)
	v1.PUT("/apps/:app/autoscale/:process", as.enable)
	v1.DELETE("/apps/:app/autoscale/:process", as.disable)
	v1.GET("/apps/:app/events", (&eventHandlers{apps: h.Apps, events: h.Events}).list)
	v1.GET("/apps/:app/logs", (&logHandlers{apps: h.Apps, logs: h.AppLogs, platform: h.PlatformLog}).show)
	hooks := &webhookHandlers{apps: h.Apps, hooks: h.Webhooks}
	v1.GET("/apps/:app/webhooks", hooks.list)
	v1.POST("/apps/:app/webhooks", hooks.create)
	v1.DELETE("/apps/:app/webhooks/:id", hooks.remove)
	v1.GET("/apps/:app/webhooks/:id/deliveries", hooks.deliveries)
	domains := &domainHandlers{apps: h.Apps, domains: h.Domains}
	v1.GET("/apps/:app/domains", domains.list)
	v1.POST("/apps/:app/domains", domains.add)
	v1.DELETE("/apps/:app/domains/:hostname", domains.remove)
	addons := &addonHandlers{apps: h.Apps, addons: h.Addons, backups: h.Backups, authz: h.Authz}
	v1.GET("/addons", addons.list)
	v1.GET("/addons/:addon", addons.show)
	v1.DELETE("/addons/:addon", addons.destroy)
	v1.GET("/apps/:app/addons", addons.listForApp)
	v1.POST("/apps/:app/addons", addons.create)
	v1.GET("/apps/:app/addons/:addon", addons.showForApp)
	v1.DELETE("/apps/:app/addons/:addon", addons.destroyForApp)
	v1.PUT("/apps/:app/attachments/:addon", addons.attach)
	v1.DELETE("/apps/:app/attachments/:addon", addons.detach)
	v1.GET("/apps/:app/addons/:addon/backups", addons.listBackups)
	v1.POST("/apps/:app/addons/:addon/backups", addons.capture)
	v1.DELETE("/apps/:app/addons/:addon/backups/:id", addons.deleteBackup)
	v1.POST("/apps/:app/addons/:addon/restores", addons.restore)
	return e
}
