package router

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

// BenchmarkProxy measures one GET through the router to a loopback
// backend, the router's own overhead plus a keep-alive round trip. It
// reports; it asserts nothing about speed.
func BenchmarkProxy(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
	}))
	defer backend.Close()
	// The default rate limit would turn most of b.N away; a huge one keeps
	// the token bucket on the path without limiting.
	r := New(Options{HealthInterval: time.Hour, RateLimit: 1e9, RateBurst: 1e9}, slog.New(slog.DiscardHandler))
	defer r.Close()
	r.Update([]paas.Instance{{App: "hello", Release: 1, AllocID: "a", Addr: backend.Listener.Addr().String()}})
	for !r.table.Load().lookup("hello").targets[0].isHealthy() {
		time.Sleep(time.Millisecond)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "hello.localhost"

	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Errorf("status %d", rec.Code)
					return
				}
			}
		})
	})
}
