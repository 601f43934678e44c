package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binDir holds paasd, paas-router, paas and paas-runner, built once by
// TestMain.
var binDir string

// buildBinaries compiles the three commands the way install.sh does.
func buildBinaries() (string, error) {
	dir, err := os.MkdirTemp("", "paas-e2e-bin-")
	if err != nil {
		return "", err
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", dir+"/", "./cmd/paasd", "./cmd/paas-router", "./cmd/paas", "./cmd/paas-runner")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return dir, nil
}

// stack is a running platform: paasd and paas-router as real processes,
// against a real PostgreSQL, Nomad agent and Docker Engine, and a home
// directory for the paas CLI and git.
type stack struct {
	t           *testing.T
	dsn         string
	nomadAddr   string
	dataDir     string
	home        string
	apiAddr     string
	routerAddr  string
	tlsAddr     string // the router's TLS listener
	metricsAddr string
	routerPort  string
	paasd       *exec.Cmd
	router      *exec.Cmd
	logs        *bytes.Buffer
	routerLog   *os.File // the router's output, also read by paasd
}

func newStack(t *testing.T, dsn, nomadAddr string) *stack {
	s := &stack{t: t, dsn: dsn, nomadAddr: nomadAddr, dataDir: t.TempDir(), home: t.TempDir(),
		apiAddr: freeAddr(t), routerAddr: freeAddr(t), tlsAddr: freeAddr(t), metricsAddr: freeAddr(t), logs: &bytes.Buffer{}}
	_, s.routerPort, _ = net.SplitHostPort(s.routerAddr)
	t.Cleanup(func() {
		s.stopPaasd(syscall.SIGTERM)
		stopProcess(s.router, syscall.SIGTERM)
		if t.Failed() {
			t.Logf("platform warnings and errors:\n%s", warnings(s.logs.String()))
			t.Logf("platform logs:\n%s", tail(s.logs.String(), 200))
		}
	})
	s.startPaasd()
	routerLog, err := os.Create(filepath.Join(s.dataDir, "paas-router.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { routerLog.Close() })
	s.routerLog = routerLog
	s.router = s.start("paas-router", "--listen", s.routerAddr, "--tls-listen", s.tlsAddr, "--nomad-addr", nomadAddr, "--log-format", "json",
		"--metrics-listen", s.metricsAddr, "--wake-url", s.apiURL(), "--state-file", filepath.Join(s.dataDir, "router-table.json"))
	waitHTTP(t, "http://"+s.routerAddr+"/healthz")
	return s
}

func (s *stack) apiURL() string { return "http://" + s.apiAddr }

func (s *stack) startPaasd() {
	s.paasd = s.start("paasd", "--data-dir", s.dataDir, "--listen", s.apiAddr, "--database-url", s.dsn,
		"--nomad-addr", s.nomadAddr, "--router-port", s.routerPort, "--log-format", "text",
		"--webhooks-allow-private", "--router-log", filepath.Join(s.dataDir, "paas-router.log"),
		"--router-metrics-url", "http://"+s.metricsAddr+"/metrics", "--router-metrics-interval", "1s",
		// Windows short enough for a test to see a scale down within
		// seconds; production keeps 30s, 6s and a minute.
		"--autoscale-stable-window", "8s", "--autoscale-panic-window", "3s", "--autoscale-cooldown", "8s",
		// Its own image names, so destroying an app here never removes the
		// images of a platform installed on the same Docker Engine.
		"--image-repository", imageRepository())
	waitHTTP(s.t, s.apiURL()+"/healthz")
}

func (s *stack) stopPaasd(sig syscall.Signal) {
	stopProcess(s.paasd, sig)
	s.paasd = nil
}

func (s *stack) start(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	w := io.Writer(&prefixWriter{prefix: name + ": ", w: &lockedWriter{b: s.logs}})
	if name == "paas-router" && s.routerLog != nil {
		w = io.MultiWriter(w, s.routerLog)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", name, err)
	}
	return cmd
}

func (s *stack) adminToken() string {
	b, err := os.ReadFile(filepath.Join(s.dataDir, "admin-token"))
	if err != nil {
		s.t.Fatalf("read admin token: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// env is the environment of the CLI and git: a fresh home whose ~/.netrc
// `paas login` writes and git reads.
func (s *stack) env() []string {
	return append(os.Environ(), "HOME="+s.home, "XDG_CONFIG_HOME="+filepath.Join(s.home, ".config"),
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "PAAS_API_URL=", "PAAS_TOKEN=")
}

// paas runs the CLI in dir and returns its combined output.
func (s *stack) paas(dir string, args ...string) (string, error) {
	return s.run(dir, "", filepath.Join(binDir, "paas"), args...)
}

func (s *stack) git(dir string, args ...string) (string, error) {
	return s.run(dir, "", "git", args...)
}

func (s *stack) run(dir, stdin, prog string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir, cmd.Env, cmd.Stdin = dir, s.env(), strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (s *stack) mustPaas(dir string, args ...string) string {
	s.t.Helper()
	out, err := s.paas(dir, args...)
	if err != nil {
		s.t.Fatalf("paas %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (s *stack) mustGit(dir string, args ...string) string {
	s.t.Helper()
	out, err := s.git(dir, args...)
	if err != nil {
		s.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// get requests path of app through the router.
func (s *stack) get(app, path string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.routerAddr+path, nil)
	req.Host = app + ".localhost:" + s.routerPort
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually retries f until it returns "" or the deadline passes.
func eventually(t *testing.T, d time.Duration, f func() string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		msg := f()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v: %s", d, msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	eventually(t, 60*time.Second, func() string {
		resp, err := http.Get(url)
		if err != nil {
			return err.Error()
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return url + ": " + resp.Status
		}
		return ""
	})
}

func stopProcess(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// warnings returns the lines of the platform's logs at WARN or ERROR, which
// the tail of a long log may have lost.
func warnings(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") ||
			strings.Contains(l, `"level":"WARN"`) || strings.Contains(l, `"level":"ERROR"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
