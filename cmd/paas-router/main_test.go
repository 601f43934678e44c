package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/router"
	"github.com/google/go-cmp/cmp"
)

// downNomad is an address where no Nomad answers: connecting is refused.
const downNomad = "http://127.0.0.1:1"

// startRouter starts paas-router as main does, with args after the
// loopback listeners and environment env, and stops it with the test.
func startRouter(t *testing.T, ctx context.Context, env map[string]string, args ...string) *routerMain {
	t.Helper()
	base := []string{"--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--log-format", "text"}
	cfg, err := parseConfig(append(base, args...), func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	m, err := start(ctx, cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.shutdown)
	return m
}

// get sends a GET for path to addr with the given Host, and returns the
// status and body, or 0 and the error.
func get(addr, host, path string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServesFromStateFileWhenControlPlaneIsDown(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "still up")
	}))
	t.Cleanup(app.Close)
	state := filepath.Join(t.TempDir(), "router-table.json")
	inst := paas.Instance{App: "hello", Release: 3, AllocID: "a1", Addr: app.Listener.Addr().String(), HealthPath: "/"}
	saved := router.Snapshot{Version: 1, SavedAt: time.Now(), Instances: []paas.Instance{inst}, Maintenance: []string{"quiet"}}
	if err := router.WriteSnapshot(state, saved); err != nil {
		t.Fatal(err)
	}

	m := startRouter(t, t.Context(), nil, "--nomad-addr", downNomad, "--state-file", state)
	edge, admin := m.edgeLn.Addr().String(), m.adminLn.Addr().String()

	eventually(t, "hello served from the state file", func() bool {
		code, body := get(edge, "hello.localhost", "/")
		return code == 200 && body == "still up"
	})
	tests := []struct {
		name       string
		addr, host string
		path       string
		wantStatus int
		wantInBody string
	}{
		{"maintenance restored", edge, "quiet.localhost", "/", 503, "down for maintenance"},
		{"router health on the edge", edge, "127.0.0.1", "/healthz", 200, `"ok"`},
		{"router health on the metrics address", admin, "", "/healthz", 200, `"ok"`},
		{"metrics with the release of the snapshot", admin, "", "/metrics", 200, `paas_router_requests_total{app="hello",code_class="2xx",release="3"} `},
		{"no pprof unless asked", admin, "", "/debug/pprof/", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(tc.addr, tc.host, tc.path)
			if code != tc.wantStatus || !strings.Contains(body, tc.wantInBody) {
				t.Errorf("GET %s%s: %d, want %d with %q; body:\n%.600s", tc.host, tc.path, code, tc.wantStatus, tc.wantInBody, body)
			}
		})
	}
	t.Run("edge server limits", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+edge+"/", nil)
		req.Host = "hello.localhost"
		req.Header.Set("X-Big", strings.Repeat("a", 1<<20))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("1 MB header: %d, want 431", resp.StatusCode)
		}
	})
	t.Run("state file kept", func(t *testing.T) {
		got, err := router.ReadSnapshot(state)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(saved.Instances, got.Instances); diff != "" {
			t.Errorf("state file after start (-want +got):\n%s", diff)
		}
	})
}

// fakeCatalogue is Nomad's service catalogue, answering insts or err.
type fakeCatalogue struct {
	insts []paas.Instance
	err   error
}

func (f fakeCatalogue) Instances(context.Context) ([]paas.Instance, error) { return f.insts, f.err }

func TestRestore(t *testing.T) {
	fromFile := paas.Instance{App: "old", Release: 1, AllocID: "a", Addr: "127.0.0.1:1001", HealthPath: "/"}
	fromNomad := paas.Instance{App: "new", Release: 2, AllocID: "b", Addr: "127.0.0.1:1002", HealthPath: "/"}
	tests := []struct {
		name        string
		haveFile    bool
		cat         fakeCatalogue
		wantInsts   []paas.Instance
		wantMaint   []string
		wantLogLine string
	}{
		{"nomad answers", true, fakeCatalogue{insts: []paas.Instance{fromNomad}}, []paas.Instance{fromNomad}, []string{"m"}, ""},
		{"nomad down", true, fakeCatalogue{err: errors.New("connection refused")}, []paas.Instance{fromFile}, []string{"m"}, "serving the last-known table"},
		{"nomad down and no state file", false, fakeCatalogue{err: errors.New("connection refused")}, []paas.Instance{}, nil, "no state file"},
		{"nomad answers, no state file", false, fakeCatalogue{insts: []paas.Instance{fromNomad}}, []paas.Instance{fromNomad}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := ""
			if tc.haveFile {
				path = filepath.Join(t.TempDir(), "t.json")
				snap := router.Snapshot{Version: 1, Instances: []paas.Instance{fromFile}, Maintenance: []string{"m"}}
				if err := router.WriteSnapshot(path, snap); err != nil {
					t.Fatal(err)
				}
			}
			var logs strings.Builder
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			rt := router.New(router.Options{StateFile: path, HealthInterval: time.Hour}, nil)
			defer rt.Close()
			restore(t.Context(), rt, tc.cat, path, logger)

			got := rt.Snapshot()
			if diff := cmp.Diff(tc.wantInsts, got.Instances); diff != "" {
				t.Errorf("instances (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantMaint, got.Maintenance); diff != "" {
				t.Errorf("maintenance (-want +got):\n%s", diff)
			}
			if !strings.Contains(logs.String(), tc.wantLogLine) {
				t.Errorf("log lacks %q:\n%s", tc.wantLogLine, logs.String())
			}
		})
	}
}

// holdingApp is an app whose /hold requests wait until released; every
// other path answers at once.
type holdingApp struct {
	srv     *httptest.Server
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newHoldingApp(t *testing.T) *holdingApp {
	a := &holdingApp{entered: make(chan struct{}, 10), release: make(chan struct{})}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			a.entered <- struct{}{}
			<-a.release
		}
		io.WriteString(w, "done")
	}))
	t.Cleanup(a.srv.Close)
	t.Cleanup(a.open)
	return a
}

func (a *holdingApp) open() { a.once.Do(func() { close(a.release) }) }

func TestGracefulShutdown(t *testing.T) {
	tests := []struct {
		name       string
		timeout    string
		finish     bool // the app answers during the drain
		wantStatus int
	}{
		{"request in flight completes", "10s", true, 200},
		{"drain is bounded", "200ms", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := newHoldingApp(t)
			state := filepath.Join(t.TempDir(), "t.json")
			inst := paas.Instance{App: "hello", Release: 1, AllocID: "a", Addr: app.srv.Listener.Addr().String(), HealthPath: "/"}
			if err := router.WriteSnapshot(state, router.Snapshot{Version: 1, Instances: []paas.Instance{inst}}); err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(t.Context())
			m := startRouter(t, ctx, nil, "--nomad-addr", downNomad, "--state-file", state, "--shutdown-timeout", tc.timeout)
			edge := m.edgeLn.Addr().String()
			eventually(t, "hello healthy", func() bool {
				code, _ := get(edge, "hello.localhost", "/")
				return code == 200
			})

			type answer struct {
				code int
				body string
			}
			inFlight := make(chan answer, 1)
			go func() {
				code, body := get(edge, "hello.localhost", "/hold")
				inFlight <- answer{code, body}
			}()
			<-app.entered
			waited := make(chan error, 1)
			start := time.Now()
			go func() { waited <- m.wait(ctx) }()
			stop()
			eventually(t, "the listener closed", func() bool {
				code, _ := get(edge, "hello.localhost", "/")
				return code == 0
			})
			if tc.finish {
				app.open()
			}
			if err := <-waited; err != nil {
				t.Errorf("wait = %v", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("shutdown took %s", took)
			}
			if got := <-inFlight; got.code != tc.wantStatus {
				t.Errorf("request in flight: %d %q, want %d", got.code, got.body, tc.wantStatus)
			}
		})
	}
}

func TestSecondRouterRunsWithoutTheStateFile(t *testing.T) {
	state := filepath.Join(t.TempDir(), "router-table.json")
	first := startRouter(t, t.Context(), nil, "--nomad-addr", downNomad, "--state-file", state)
	second := startRouter(t, t.Context(), nil, "--nomad-addr", downNomad, "--state-file", state)
	if first.cfg.stateFile != state {
		t.Errorf("first router's state file = %q, want %q", first.cfg.stateFile, state)
	}
	if second.cfg.stateFile != "" {
		t.Errorf("second router took the state file in use: %q", second.cfg.stateFile)
	}
	first.shutdown()
	third := startRouter(t, t.Context(), nil, "--nomad-addr", downNomad, "--state-file", state)
	if third.cfg.stateFile != state {
		t.Errorf("state file not free once its router stopped: third has %q", third.cfg.stateFile)
	}
}

func TestTakenMetricsAddressDoesNotStopTheEdge(t *testing.T) {
	first := startRouter(t, t.Context(), nil, "--nomad-addr", downNomad, "--state-file=")
	taken := first.adminLn.Addr().String()
	second := startRouter(t, t.Context(), nil, "--nomad-addr", downNomad, "--state-file=", "--metrics-listen", taken)
	if second.adminLn != nil {
		t.Fatal("second router has a metrics listener on a taken address")
	}
	if code, body := get(second.edgeLn.Addr().String(), "127.0.0.1", "/healthz"); code != 200 {
		t.Errorf("edge of the second router: %d %q, want 200", code, body)
	}
}
