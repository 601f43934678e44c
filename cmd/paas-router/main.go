// Command paas-router is the platform's edge: it routes <app>.<domain> to the
// healthy instances of each app, which it learns from Nomad's service
// catalogue. When the control plane is down it keeps serving from the last
// table it saw, and it saves that table so that it can start from it too.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gitpaas/paas/internal/tlscert"
	"github.com/gitpaas/paas/router"
	"github.com/gitpaas/paas/scheduler"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "paas-router:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	m, err := start(ctx, cfg, newLogger(cfg.logFormat, stderr))
	if err != nil {
		return err
	}
	return m.wait(ctx)
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// routerMain is a running paas-router: the router, its edge server and its
// metrics server.
type routerMain struct {
	cfg     config
	logger  *slog.Logger
	rt      *router.Router
	edge    *router.Edge // the plain listener's
	secure  *http.Server // the TLS listener's; nil without one
	admin   *http.Server // nil without a metrics address
	edgeLn  net.Listener
	tlsLn   net.Listener
	adminLn net.Listener
	unlock  func() // releases the state file
	errc    chan error
	stopped sync.Once
}

// start loads the routing table, begins watching Nomad and serves. It
// returns once both listeners are open.
func start(ctx context.Context, cfg config, logger *slog.Logger) (*routerMain, error) {
	opts := cfg.routerOptions()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	sched, err := scheduler.New(scheduler.Options{Address: cfg.nomadAddr}, logger)
	if err != nil {
		return nil, err
	}
	m := &routerMain{cfg: cfg, logger: logger, errc: make(chan error, 3)}
	m.cfg.stateFile, m.unlock = lockState(cfg.stateFile, logger)
	opts.StateFile = m.cfg.stateFile
	m.rt = router.New(opts, logger)
	if cfg.wakeURL != "" {
		w, err := newWaker(cfg.wakeURL)
		if err != nil {
			m.rt.Close()
			m.unlock()
			return nil, err
		}
		m.rt.SetWaker(w, router.HoldOptions{Timeout: cfg.holdTimeout})
	}
	if err := m.listen(); err != nil {
		m.rt.Close()
		m.unlock()
		return nil, err
	}
	restore(ctx, m.rt, sched, m.cfg.stateFile, logger)
	go func() { _ = sched.WatchInstances(ctx, m.rt.Update) }()
	go func() { _ = sched.WatchRoutes(ctx, m.rt.UpdateRoutes) }()
	go func() { _ = sched.WatchDomains(ctx, m.rt.UpdateDomains) }()
	if err := m.serve(); err != nil {
		m.shutdown()
		return nil, err
	}
	return m, nil
}

// listen opens the edge and metrics listeners, so that a port in use fails
// the start rather than the first request. The edge matters more than its
// metrics: when the metrics address is taken, the router logs it and
// serves apps all the same.
func (m *routerMain) listen() error {
	ln, err := net.Listen("tcp", m.cfg.listen)
	if err != nil {
		return err
	}
	m.edgeLn = ln
	if m.cfg.tlsListen != "" {
		if m.tlsLn, err = net.Listen("tcp", m.cfg.tlsListen); err != nil {
			m.edgeLn.Close()
			return fmt.Errorf("tls listener: %w", err)
		}
	}
	if m.cfg.metricsListen == "" {
		return nil
	}
	if m.adminLn, err = net.Listen("tcp", m.cfg.metricsListen); err != nil {
		m.adminLn = nil
		m.logger.Error("metrics listener; serving without metrics", "addr", m.cfg.metricsListen, "error", err)
	}
	return nil
}

func (m *routerMain) serve() error {
	m.edge = m.rt.NewEdge(withHealthz(m.rt))
	go func() { m.errc <- m.edge.Serve(m.edgeLn) }()
	m.logger.Info("router listening", "addr", m.edgeLn.Addr().String(), "domain", m.cfg.domain, "state_file", m.cfg.stateFile)
	if err := m.serveTLS(); err != nil {
		return err
	}
	if m.adminLn == nil {
		return nil
	}
	m.admin = &http.Server{Handler: adminHandler(m.rt, m.cfg.pprof), ReadHeaderTimeout: 10 * time.Second}
	go func() { m.errc <- m.admin.Serve(m.adminLn) }()
	m.logger.Info("metrics listening", "addr", m.adminLn.Addr().String())
	return nil
}

// fallbackValidity is how long the certificate made at start lasts; a
// new one is made at every start.
const fallbackValidity = 365 * 24 * time.Hour

// serveTLS serves the router on the TLS listener, if there is one. Custom
// domains present their own certificates; every other name gets a
// self-signed certificate for *.<domain> made now. Requests that come
// this way reach apps with X-Forwarded-Proto: https.
func (m *routerMain) serveTLS() error {
	if m.tlsLn == nil {
		return nil
	}
	certPEM, keyPEM, err := tlscert.SelfSigned([]string{"*." + m.cfg.domain, m.cfg.domain}, fallbackValidity, time.Now())
	if err != nil {
		return fmt.Errorf("fallback certificate: %w", err)
	}
	fallback, err := tlscert.Pair(certPEM, keyPEM)
	if err != nil {
		return fmt.Errorf("fallback certificate: %w", err)
	}
	m.secure = m.rt.NewServer(withHealthz(m.rt))
	ln := tls.NewListener(m.tlsLn, m.rt.TLSConfig(fallback))
	go func() { m.errc <- m.secure.Serve(ln) }()
	m.logger.Info("router listening over tls", "addr", m.tlsLn.Addr().String())
	return nil
}

// wait serves until ctx is done, then shuts down gracefully: it stops
// accepting, lets the requests in flight finish (proxied websockets too)
// within the shutdown timeout, and closes what is left after it.
func (m *routerMain) wait(ctx context.Context) error {
	var err error
	select {
	case err = <-m.errc:
	case <-ctx.Done():
	}
	m.shutdown()
	return err
}

// shutdown stops the router once; later calls do nothing.
func (m *routerMain) shutdown() { m.stopped.Do(m.drainAndClose) }

func (m *routerMain) drainAndClose() {
	m.logger.Info("router draining", "timeout", m.cfg.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), m.cfg.shutdownTimeout)
	defer cancel()
	var secureErr error
	if m.secure != nil {
		secureErr = m.secure.Shutdown(sctx)
	} else if m.tlsLn != nil {
		m.tlsLn.Close()
	}
	err := errors.Join(m.edge.Shutdown(sctx), secureErr)
	if err == nil {
		err = m.rt.Drain(sctx)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		m.logger.Warn("drain timed out; closing the connections left")
		m.edge.Close()
		if m.secure != nil {
			m.secure.Close()
		}
	}
	if m.admin != nil {
		m.admin.Close()
	}
	m.rt.Close()
	m.unlock()
	m.logger.Info("router stopped")
}

// withHealthz answers /healthz for requests addressed to the router itself
// (by IP or plain localhost) rather than to an app.
func withHealthz(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if r.URL.Path == "/healthz" && (host == "localhost" || net.ParseIP(host) != nil) {
			healthz(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"status":"ok"}`+"\n")
}
