package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// HealthChecker reports whether the platform's dependencies answer.
type HealthChecker interface {
	Check(ctx context.Context) map[string]error
}

type healthBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func healthz(h HealthChecker) gin.HandlerFunc {
	return func(c *gin.Context) {
		body := healthBody{Status: "ok"}
		if h == nil {
			c.JSON(http.StatusOK, body)
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		status := http.StatusOK
		body.Checks = map[string]string{}
		for name, err := range h.Check(ctx) {
			body.Checks[name] = "ok"
			if err != nil {
				body.Checks[name] = "unavailable"
				body.Status, status = "degraded", http.StatusServiceUnavailable
			}
		}
		c.JSON(status, body)
	}
}

func whoami(c *gin.Context) {
	c.JSON(http.StatusOK, currentUser(c))
}
