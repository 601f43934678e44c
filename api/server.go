// Package api is the platform's REST API on gin: JSON under /v1, token
// authentication, one error shape. It also mounts the git endpoint and the
// hook callback, which are plain http.Handlers. It is the only package that
// imports gin.
package api

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Options configure the API.
type Options struct {
	// GitURL and WebURL return an app's git remote and public address.
	GitURL func(app string) string
	WebURL func(app string) string
	// MaxBodyBytes bounds JSON request bodies.
	MaxBodyBytes int64
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
}

// New returns the platform's HTTP handler.
func New(opts Options, h Handlers, logger *slog.Logger) http.Handler {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
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

	v1 := e.Group("/v1", authenticate(h.Auth), limitBody(opts.MaxBodyBytes), idempotency(h.Idempotency))
	v1.GET("/openapi.json", serveOpenAPI())
	v1.GET("/whoami", whoami)
	apps := &appHandlers{store: h.Apps, lifecycle: h.Lifecycle, events: h.Events, opts: opts}
	v1.GET("/apps", apps.list)
	v1.POST("/apps", apps.create)
	v1.GET("/apps/:app", apps.show)
	v1.DELETE("/apps/:app", apps.destroy)
	builds := &buildHandlers{store: h.Builds, apps: h.Apps}
	v1.GET("/apps/:app/builds", builds.list)
	v1.POST("/apps/:app/builds", (&sourceHandlers{apps: h.Apps, deployer: h.Sources}).create)
	v1.GET("/apps/:app/builds/:id", builds.show)
	v1.GET("/apps/:app/builds/:id/log", builds.log)
	releases := &releaseHandlers{store: h.Releases, apps: h.Apps}
	v1.GET("/apps/:app/releases", releases.list)
	v1.GET("/apps/:app/releases/:version", releases.show)
	lc := &lifecycleHandlers{apps: h.Apps, config: h.Config, releases: h.Releases, releaser: h.Releaser}
	v1.GET("/apps/:app/config", lc.getConfig)
	v1.PATCH("/apps/:app/config", lc.patchConfig)
	v1.POST("/apps/:app/rollback", lc.rollback)
	v1.GET("/apps/:app/formation", lc.formation)
	v1.PATCH("/apps/:app/formation", lc.scale)
	v1.GET("/apps/:app/ps", lc.ps)
	v1.POST("/apps/:app/ps/restart", lc.restart)
	v1.POST("/apps/:app/runs", lc.run)
	v1.GET("/apps/:app/logs", (&logHandlers{apps: h.Apps, logs: h.AppLogs, platform: h.PlatformLog}).show)
	hooks := &webhookHandlers{apps: h.Apps, hooks: h.Webhooks}
	v1.GET("/apps/:app/webhooks", hooks.list)
	v1.POST("/apps/:app/webhooks", hooks.create)
	v1.DELETE("/apps/:app/webhooks/:id", hooks.remove)
	v1.GET("/apps/:app/webhooks/:id/deliveries", hooks.deliveries)
	return e
}
