package api

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// Authorizer decides whether a caller may do what needs need, on app when
// app is not empty. It fails with paas.EFORBIDDEN, or with paas.ENOTFOUND
// when the caller may not even see the app.
type Authorizer interface {
	Authorize(ctx context.Context, id *paas.Identity, app string, need paas.Permission) error
}

// rule is what one route needs, and how the audit log names what it does.
type rule struct {
	need paas.Permission
	// action names a change in the audit log; routes that change nothing
	// (GETs) have none.
	action string
	// public routes need no token.
	public bool
	// secret marks routes whose answer holds a secret shown once (a token,
	// a password, a signing key): it must never be kept, not even for an
	// Idempotency-Key replay.
	secret bool
}

// The permissions routes need. A role applies to the route's :app.
var (
	anyUser     = paas.Permission{Scope: paas.ScopeRead}
	anyDeployer = paas.Permission{Scope: paas.ScopeDeploy}
	anyAdmin    = paas.Permission{Scope: paas.ScopeAdmin}
	appViewer   = paas.Permission{Scope: paas.ScopeRead, Role: paas.RoleViewer}
	appDeployer = paas.Permission{Scope: paas.ScopeDeploy, Role: paas.RoleDeployer}
	appOwner    = paas.Permission{Scope: paas.ScopeAdmin, Role: paas.RoleOwner}
	// appOwnerReads reads what only owners see, with a read token.
	appOwnerReads = paas.Permission{Scope: paas.ScopeRead, Role: paas.RoleOwner}
	platformRead  = paas.Permission{Scope: paas.ScopeRead, Admin: true}
	platformAdmin = paas.Permission{Scope: paas.ScopeAdmin, Admin: true}
)

// rules declares what every route under /v1 needs, keyed "METHOD /path" as
// gin names the route. A route missing here is refused to everyone, and
// TestRouteRules names it: add its rule here and a sample request to
// authz_test.go for TestAuthorizationMatrix. docs/security.md explains the
// model.
var rules = map[string]rule{
	"POST /v1/login":        {public: true, action: "login", secret: true},
	"GET /v1/openapi.json":  {need: anyUser},
	"GET /v1/whoami":        {need: anyUser},
	"GET /v1/users":         {need: platformRead},
	"POST /v1/users":        {need: platformAdmin, action: "user.create", secret: true},
	"GET /v1/tokens":        {need: anyUser},
	"POST /v1/tokens":       {need: anyAdmin, action: "token.create", secret: true},
	"DELETE /v1/tokens/:id": {need: anyAdmin, action: "token.revoke"},
	// The audit route filters what it shows by role itself.
	"GET /v1/audit": {need: anyUser},

	// Teams (docs/security.md). GET /v1/teams lists the caller's teams (all
	// of them for platform admins); a team's members are shown only to its
	// members and platform admins, and to others it does not exist.
	"GET /v1/teams":                        {need: anyUser},
	"POST /v1/teams":                       {need: platformAdmin, action: "team.create"},
	"DELETE /v1/teams/:team":               {need: platformAdmin, action: "team.destroy"},
	"GET /v1/teams/:team/members":          {need: anyUser},
	"PUT /v1/teams/:team/members/:user":    {need: platformAdmin, action: "team.member.add"},
	"DELETE /v1/teams/:team/members/:user": {need: platformAdmin, action: "team.member.remove"},

	// GET /v1/apps lists only the apps the caller has a role on.
	"GET /v1/apps":         {need: anyUser},
	"POST /v1/apps":        {need: anyDeployer, action: "app.create"},
	"GET /v1/apps/:app":    {need: appViewer},
	"DELETE /v1/apps/:app": {need: appOwner, action: "app.destroy"},

	"GET /v1/apps/:app/access":          {need: appViewer},
	"PUT /v1/apps/:app/access/:user":    {need: appOwner, action: "access.set"},
	"DELETE /v1/apps/:app/access/:user": {need: appOwner, action: "access.remove"},
	// A team's role on the app. A user named "teams" still matches the
	// routes above: gin takes the static segment only when a team follows.
	"PUT /v1/apps/:app/access/teams/:team":    {need: appOwner, action: "access.team.set"},
	"DELETE /v1/apps/:app/access/teams/:team": {need: appOwner, action: "access.team.remove"},

	"GET /v1/apps/:app/builds":            {need: appViewer},
	"POST /v1/apps/:app/builds":           {need: appDeployer, action: "build.create"},
	"GET /v1/apps/:app/builds/:id":        {need: appViewer},
	"GET /v1/apps/:app/builds/:id/log":    {need: appViewer},
	"GET /v1/apps/:app/releases":          {need: appViewer},
	"GET /v1/apps/:app/releases/:version": {need: appViewer},
	"POST /v1/apps/:app/rollback":         {need: appDeployer, action: "release.rollback"},

	// Config var values are secrets: reading them takes what changing
	// them (or `paas run env`) takes, never a read-only token.
	"GET /v1/apps/:app/config":   {need: appDeployer},
	"PATCH /v1/apps/:app/config": {need: appDeployer, action: "config.set"},

	"GET /v1/apps/:app/formation":   {need: appViewer},
	"PATCH /v1/apps/:app/formation": {need: appDeployer, action: "formation.scale"},
	"GET /v1/apps/:app/ps":          {need: appViewer},
	"POST /v1/apps/:app/ps/restart": {need: appDeployer, action: "ps.restart"},
	"POST /v1/apps/:app/runs":       {need: appDeployer, action: "run.create"},
	"GET /v1/apps/:app/logs":        {need: appViewer},

	"GET /v1/apps/:app/maintenance":           {need: appViewer},
	"PUT /v1/apps/:app/maintenance":           {need: appDeployer, action: "app.maintenance"},
	"GET /v1/apps/:app/canary":                {need: appViewer},
	"POST /v1/apps/:app/canary/promote":       {need: appDeployer, action: "canary.promote"},
	"POST /v1/apps/:app/canary/abort":         {need: appDeployer, action: "canary.abort"},
	"GET /v1/apps/:app/autoscale":             {need: appViewer},
	"PUT /v1/apps/:app/autoscale/:process":    {need: appDeployer, action: "autoscale.enable"},
	"DELETE /v1/apps/:app/autoscale/:process": {need: appDeployer, action: "autoscale.disable"},
	"GET /v1/apps/:app/events":                {need: appViewer},

	// Webhook URLs often embed credentials and their secrets sign events:
	// they are the owners' business.
	"GET /v1/apps/:app/webhooks":                {need: appOwnerReads},
	"POST /v1/apps/:app/webhooks":               {need: appOwner, action: "webhook.create", secret: true},
	"DELETE /v1/apps/:app/webhooks/:id":         {need: appOwner, action: "webhook.delete"},
	"GET /v1/apps/:app/webhooks/:id/deliveries": {need: appOwnerReads},

	// Custom domains (docs/router.md). Adding one claims a hostname on the
	// platform and may upload a private key: owners only.
	"GET /v1/apps/:app/domains":              {need: appViewer},
	"POST /v1/apps/:app/domains":             {need: appOwner, action: "domain.add"},
	"DELETE /v1/apps/:app/domains/:hostname": {need: appOwner, action: "domain.remove"},

	// Add-ons (docs/addons.md). An add-on belongs to the app it was made
	// for: its owners may destroy it. Attaching it elsewhere also takes
	// what reading its URL where it is takes (addonHandlers.mayUse), and
	// so does restoring its backups into another add-on. Add-ons whose
	// app was destroyed are the platform admins'.
	"GET /v1/addons":                                 {need: platformRead},
	"GET /v1/addons/:addon":                          {need: platformRead},
	"DELETE /v1/addons/:addon":                       {need: platformAdmin, action: "addon.destroy"},
	"GET /v1/apps/:app/addons":                       {need: appViewer},
	"POST /v1/apps/:app/addons":                      {need: appDeployer, action: "addon.create"},
	"GET /v1/apps/:app/addons/:addon":                {need: appViewer},
	"DELETE /v1/apps/:app/addons/:addon":             {need: appOwner, action: "addon.destroy"},
	"PUT /v1/apps/:app/attachments/:addon":           {need: appDeployer, action: "addon.attach"},
	"DELETE /v1/apps/:app/attachments/:addon":        {need: appDeployer, action: "addon.detach"},
	"GET /v1/apps/:app/addons/:addon/backups":        {need: appViewer},
	"POST /v1/apps/:app/addons/:addon/backups":       {need: appDeployer, action: "backup.capture"},
	"DELETE /v1/apps/:app/addons/:addon/backups/:id": {need: appOwner, action: "backup.delete"},
	"POST /v1/apps/:app/addons/:addon/restores":      {need: appDeployer, action: "backup.restore"},
}

// selfGuarded are the routes outside /v1, which check their callers
// themselves: the git endpoint (tokens, and roles through Authorizer), the
// hook callback (a one-time secret per push) and the health check (public,
// and tells only up or down).
var selfGuarded = map[string]bool{
	"GET /healthz":                 true,
	"/git/*path":                   true,
	"POST /internal/git/hooks/:id": true,
	// The router's wake call for an app scaled to zero does no more than a
	// request to the app's public address does (api/autoscale.go).
	"POST /internal/apps/:app/wake": true,
}

// routeKey names the route of c as the rules do.
func routeKey(c *gin.Context) string {
	return c.Request.Method + " " + c.FullPath()
}

// authorize enforces the rule of the route: the token's scope, then the
// platform admin flag or the caller's role on the route's :app. A route
// without a rule is refused, so that a forgotten declaration fails closed.
func authorize(authz Authorizer) gin.HandlerFunc {
	return func(c *gin.Context) {
		r, ok := rules[routeKey(c)]
		switch {
		case !ok:
			c.Error(fmt.Errorf("route %s has no rule in api/authz.go; refusing it", routeKey(c)))
			c.Abort()
		case authz == nil:
			c.Error(fmt.Errorf("no authorizer configured; refusing %s", routeKey(c)))
			c.Abort()
		default:
			if err := authz.Authorize(c.Request.Context(), currentIdentity(c), c.Param("app"), r.need); err != nil {
				c.Error(err)
				c.Abort()
				return
			}
			c.Next()
		}
	}
}

// answersWithSecret reports whether the route of c answers with a secret
// that must not be kept anywhere.
func answersWithSecret(c *gin.Context) bool {
	return rules[routeKey(c)].secret
}
