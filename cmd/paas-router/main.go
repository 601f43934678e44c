// Command paas-router is the platform's edge: it routes <app>.<domain> to the
// healthy instances of each app, which it learns from Nomad's service
// catalogue. When the control plane is down it keeps serving from the last
// table it saw.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gitpaas/paas"
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

type config struct {
	listen, nomadAddr, domain, logFormat string
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	var c config
	fs := flag.NewFlagSet("paas-router", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", env("PAAS_ROUTER_LISTEN", "127.0.0.1:8080"), "address to serve apps on (PAAS_ROUTER_LISTEN)")
	fs.StringVar(&c.nomadAddr, "nomad-addr", env("NOMAD_ADDR", "http://127.0.0.1:4646"), "Nomad agent address (NOMAD_ADDR)")
	fs.StringVar(&c.domain, "domain", env("PAAS_DOMAIN", router.DefaultDomain), "apps are served at <app>.<domain> (PAAS_DOMAIN)")
	fs.StringVar(&c.logFormat, "log-format", env("PAAS_LOG_FORMAT", "json"), "json or text (PAAS_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q; see paas-router -h", fs.Arg(0))
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	var logger *slog.Logger
	if cfg.logFormat == "text" {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	} else {
		logger = slog.New(slog.NewJSONHandler(stderr, nil))
	}
	opts := router.Options{Domain: cfg.domain}
	if err := opts.Validate(); err != nil {
		return err
	}
	rt := router.New(opts, logger)
	defer rt.Close()
	sched, err := scheduler.New(scheduler.Options{Address: cfg.nomadAddr}, logger)
	if err != nil {
		return err
	}
	go sched.WatchInstances(ctx, func(is []paas.Instance) { rt.Update(is) })

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: withHealthz(rt), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("router listening", "addr", ln.Addr().String(), "domain", cfg.domain)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
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
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"status":"ok"}`+"\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}
