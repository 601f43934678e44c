package main

import (
	"net/http"
	"net/http/pprof"

	"github.com/gitpaas/paas/router"
)

// adminHandler serves the metrics address: /metrics, /healthz and, when
// asked for, the profiles of /debug/pprof/. It is meant for loopback or a
// private network only.
func adminHandler(rt *router.Router, withPprof bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", rt.MetricsHandler())
	mux.HandleFunc("GET /healthz", healthz)
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}
