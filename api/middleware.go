package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

const (
	requestIDKey = "request_id"
	userKey      = "user"
	identityKey  = "identity"
)

// Authenticator resolves a bearer token to its user and the token itself.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*paas.Identity, error)
}

// requestID takes a sane X-Request-Id from the caller or makes one, and
// echoes it so logs on both sides can be matched.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if !validRequestID(id) {
			b := make([]byte, 12)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// accessLog writes one line per request. It never logs headers or bodies,
// which may hold tokens.
func accessLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		path := c.FullPath()
		if path == "" {
			path = "unmatched"
		}
		logger.Info("request", "request_id", c.GetString(requestIDKey), "method", c.Request.Method,
			"route", path, "status", c.Writer.Status(), "duration_ms", time.Since(start).Milliseconds(),
			"remote", c.ClientIP())
	}
}

// recovery turns a panic into a 500 instead of a dropped connection.
func recovery(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.Error("panic", "request_id", c.GetString(requestIDKey), "panic", v)
				c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: errorDetail{
					Code: paas.EINTERNAL, Message: "internal error", RequestID: c.GetString(requestIDKey)}})
			}
		}()
		c.Next()
	}
}

// authenticate requires a valid bearer token.
func authenticate(auth Authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, _ := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		id, err := auth.Authenticate(c.Request.Context(), strings.TrimSpace(token))
		if err != nil {
			c.Error(err)
			c.Abort()
			return
		}
		setIdentity(c, id)
		c.Next()
	}
}

// limitBody bounds JSON request bodies. Source uploads set their own,
// larger, limit.
func limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !(c.Request.Method == http.MethodPost && c.FullPath() == "/v1/apps/:app/builds") {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		}
		c.Next()
	}
}

func currentUser(c *gin.Context) *paas.User {
	u, _ := c.Get(userKey)
	user, _ := u.(*paas.User)
	return user
}

// setIdentity records who makes the request, for the handlers and the
// audit log.
func setIdentity(c *gin.Context, id *paas.Identity) {
	c.Set(identityKey, id)
	c.Set(userKey, &id.User)
}

// currentIdentity returns who makes the request, nil before
// authentication.
func currentIdentity(c *gin.Context) *paas.Identity {
	v, _ := c.Get(identityKey)
	id, _ := v.(*paas.Identity)
	return id
}
