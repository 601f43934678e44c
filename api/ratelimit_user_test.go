package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

func TestLimitPerUser(t *testing.T) {
	now := time.Now()
	l := newLimiter(RateLimit{Burst: 2, Every: time.Minute}, func() time.Time { return now })
	e := gin.New()
	e.Use(errorResponder(slog.New(slog.DiscardHandler)))
	e.POST("/t", func(c *gin.Context) { c.Set(userKey, &paas.User{Name: c.Query("u")}) }, limitPerUser(l, "new tokens"),
		func(c *gin.Context) { c.Status(http.StatusCreated) })
	codes := []int{}
	for _, u := range []string{"a", "a", "a", "b"} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/t?u="+u, nil))
		codes = append(codes, w.Code)
		if w.Code == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[0] != 201 || codes[1] != 201 || codes[2] != 429 || codes[3] != 201 {
		t.Errorf("codes = %v; want 201 201 429 201 (per user)", codes)
	}
}
