package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// AuditStore keeps the audit log.
type AuditStore interface {
	AddAuditEntry(ctx context.Context, e *paas.AuditEntry) error
	ListAuditEntries(ctx context.Context, f paas.AuditFilter) ([]*paas.AuditEntry, error)
}

// auditAppKey holds the app a request acts on when the path does not name
// it, as when an app is created.
const auditAppKey = "audit_app"

// auditTimeout bounds the write of one audit entry.
const auditTimeout = 5 * time.Second

// setAuditApp names the app a request acts on, for the audit log, when
// the route has no :app.
func setAuditApp(c *gin.Context, app string) { c.Set(auditAppKey, app) }

// audit records every request that may change something (anything but
// GET, HEAD and OPTIONS) once it is answered, refused ones included: who,
// what, on which app, from where and the status. Never the body, which may
// hold secrets. A failed write is logged; the answer is already decided.
func audit(store AuditStore, logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if store == nil || !changes(c.Request.Method) {
			return
		}
		e := auditEntry(c)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), auditTimeout)
		defer cancel()
		if err := store.AddAuditEntry(ctx, e); err != nil {
			logger.Error("record audit entry", "request_id", e.RequestID, "action", e.Action, "app", e.App, "error", err)
		}
	}
}

// changes reports whether a request of method may change state.
func changes(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// auditEntry describes the answered request c.
func auditEntry(c *gin.Context) *paas.AuditEntry {
	e := &paas.AuditEntry{
		Action: rules[routeKey(c)].action, App: c.Param("app"),
		Method: c.Request.Method, Path: c.Request.URL.Path, Status: answerStatus(c),
		ClientIP: c.ClientIP(), RequestID: c.GetString(requestIDKey),
	}
	if e.Action == "" {
		e.Action = routeKey(c)
	}
	if e.App == "" {
		e.App = c.GetString(auditAppKey)
	}
	if id := currentIdentity(c); id != nil {
		e.User, e.TokenID = id.User.Name, id.Token.ID
	}
	return e
}

// answerStatus is the status c is answered with: an error not written yet
// will be, by errorResponder, with its code's status.
func answerStatus(c *gin.Context) int {
	if len(c.Errors) > 0 && !c.Writer.Written() {
		return paas.HTTPStatus(paas.ErrorCode(c.Errors.Last().Err))
	}
	return c.Writer.Status()
}

type auditHandlers struct {
	store AuditStore
	authz Authorizer
}

// list shows the audit log, newest first: all of it to platform admins, and
// to others the entries of the apps they own. ?app= narrows it to one app,
// which the caller must own; ?limit= bounds it.
func (h *auditHandlers) list(c *gin.Context) {
	limit, err := pageSize(c)
	if err != nil {
		c.Error(err)
		return
	}
	id := currentIdentity(c)
	f := paas.AuditFilter{App: c.Query("app"), Limit: limit}
	if !id.User.Admin {
		f.OwnerID = id.User.ID
	}
	if f.App != "" {
		if err := h.authz.Authorize(c.Request.Context(), id, f.App, appOwnerReads); err != nil {
			c.Error(err)
			return
		}
	}
	entries, err := h.store.ListAuditEntries(c.Request.Context(), f)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(entries))
}

// PushAuditor records git pushes in the audit log with the status the API
// answers their outcome with. The git endpoint uses it as its Auditor.
type PushAuditor struct {
	store  AuditStore
	logger *slog.Logger
}

// NewPushAuditor returns a PushAuditor writing to store.
func NewPushAuditor(store AuditStore, logger *slog.Logger) *PushAuditor {
	return &PushAuditor{store: store, logger: logger}
}

// RecordPush records e, a push that err refused or failed (nil: released).
func (a *PushAuditor) RecordPush(ctx context.Context, e paas.AuditEntry, err error) {
	e.Status = http.StatusOK
	if err != nil {
		e.Status = paas.HTTPStatus(paas.ErrorCode(err))
	}
	ctx, cancel := context.WithTimeout(ctx, auditTimeout)
	defer cancel()
	if err := a.store.AddAuditEntry(ctx, &e); err != nil {
		a.logger.Error("record audit entry", "action", e.Action, "app", e.App, "error", err)
	}
}
