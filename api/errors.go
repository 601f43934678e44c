package api

import (
	"fmt"
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// errorBody is the one shape of every error the API returns.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// errorResponder turns the last error a handler attached with c.Error into
// the JSON error response. Internal errors are logged with their detail and
// answered with a generic message.
func errorResponder(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if len(c.Errors) == 0 || c.Writer.Written() {
			return
		}
		err := c.Errors.Last().Err
		code := paas.ErrorCode(err)
		if code == paas.EINTERNAL {
			logger.Error("request failed", "request_id", c.GetString(requestIDKey), "path", c.FullPath(), "error", err)
		}
		if code == paas.EUNAUTHORIZED {
			c.Header("WWW-Authenticate", `Bearer realm="paas"`)
		}
		c.JSON(paas.HTTPStatus(code), errorBody{Error: errorDetail{
			Code: code, Message: paas.ErrorMessage(err), RequestID: c.GetString(requestIDKey),
		}})
	}
}

func notFoundRoute(c *gin.Context) error {
	return paas.Errorf(paas.ENOTFOUND, "no such route: %s %s; see docs/api.md for the API", c.Request.Method, clip(c.Request.URL.Path))
}

func methodNotAllowed(c *gin.Context) error {
	return paas.Errorf(paas.EINVALID, "method %s is not allowed on %s", c.Request.Method, clip(c.Request.URL.Path))
}

func clip(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Sprintf("%q", s)[1 : len(fmt.Sprintf("%q", s))-1]
}
