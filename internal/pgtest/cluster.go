package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	// superuser is the role that initdb creates and that tests connect as.
	superuser = "postgres"
	// port only names the socket file; the server listens on no TCP port.
	port = 5432
	// startTimeout bounds the start of the server on a busy machine.
	startTimeout = time.Minute
	// commandTimeout bounds initdb, createdb and dropdb.
	commandTimeout = time.Minute
)

// cluster is a running throw-away PostgreSQL server. Its directory holds the
// data directory, the socket and the server's log.
type cluster struct {
	bin    string              // directory of the server binaries
	dir    string              // temporary directory, removed by stop
	major  int                 // major version of the server
	cred   *syscall.Credential // whom the server runs as; nil for the current user
	server *exec.Cmd           // the postgres process
	exited chan struct{}       // closed when server has exited
	seq    atomic.Int64        // numbers the databases handed out
}

// start creates a cluster in a new temporary directory and starts its
// server.
func start() (*cluster, error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	major, err := serverVersion(bin)
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	dir, err := makeDir(cred)
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir, major: major, cred: cred, exited: make(chan struct{})}
	if err := c.boot(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// boot creates the data directory, starts the server and waits until it
// accepts connections.
func (c *cluster) boot() error {
	if err := c.initdb(); err != nil {
		return err
	}
	if err := c.startServer(); err != nil {
		return err
	}
	return c.waitReady()
}

// serverVersion returns the major version of the server in binDir.
func serverVersion(binDir string) (int, error) {
	out, err := exec.Command(filepath.Join(binDir, "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("postgres --version: %w", err)
	}
	return parseMajorVersion(string(out))
}

// parseMajorVersion reads the major version in the answer of
// postgres --version, such as "postgres (PostgreSQL) 15.4 (Debian 15.4-1)".
func parseMajorVersion(s string) (int, error) {
	_, v, _ := strings.Cut(s, "(PostgreSQL) ")
	end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(v)
	}
	major, err := strconv.Atoi(v[:end])
	if err != nil {
		return 0, fmt.Errorf("no version in the answer of postgres --version: %q", s)
	}
	return major, nil
}

// serverCredential returns the credential of the postgres user when running
// as root, since PostgreSQL refuses to run as root, and nil otherwise.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, so the server must run as the postgres user: %w; create the user or run the tests as another user", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// makeDir creates the cluster's temporary directory, owned by cred's user.
func makeDir(cred *syscall.Credential) (string, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return "", fmt.Errorf("create cluster directory: %w", err)
	}
	if cred == nil {
		return dir, nil
	}
	if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("give cluster directory to the postgres user: %w", err)
	}
	return dir, nil
}

// dataDir is where initdb puts the cluster's files.
func (c *cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// logFile is where the server writes its log.
func (c *cluster) logFile() string { return filepath.Join(c.dir, "server.log") }

// initdb creates the data directory with trust authentication, since only
// the owner of the temporary directory can reach the socket.
func (c *cluster) initdb() error {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "initdb"),
		"--pgdata", c.dataDir(), "--username", superuser, "--auth", "trust",
		"--encoding", "UTF8", "--no-locale", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return run(cmd, c.dir)
}

// startServer starts postgres as a child of this process that dies with it,
// so that a test binary killed by a timeout leaves no server behind (pg_ctl
// would detach it).
func (c *cluster) startServer() error {
	logFile, err := os.Create(c.logFile())
	if err != nil {
		return fmt.Errorf("create server log: %w", err)
	}
	defer logFile.Close()
	c.server = exec.Command(filepath.Join(c.bin, "postgres"),
		"-D", c.dataDir(), "-k", c.dir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "shared_buffers=32MB")
	c.server.Dir = c.dir
	c.server.Env = clientEnv()
	c.server.Stdout, c.server.Stderr = logFile, logFile
	c.server.SysProcAttr = serverProcAttr(c.cred)

	started := make(chan error, 1)
	go c.runServer(started)
	return <-started
}

// runServer starts the server, reports the outcome on started and waits for
// the server to exit. The kernel sends the server its parent-death signal
// when the thread that started it exits, not the process, so this goroutine
// keeps its thread to itself for the server's whole life.
func (c *cluster) runServer(started chan<- error) {
	runtime.LockOSThread()
	defer close(c.exited)
	if err := c.server.Start(); err != nil {
		started <- fmt.Errorf("start postgres: %w", err)
		return
	}
	started <- nil
	c.server.Wait()
}

// waitReady waits until the server accepts connections, which it announces
// in the status line of postmaster.pid, as pg_ctl does.
func (c *cluster) waitReady() error {
	deadline := time.After(startTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !c.ready() {
		select {
		case <-c.exited:
			return fmt.Errorf("postgres exited while starting: %s", c.logTail())
		case <-deadline:
			return fmt.Errorf("postgres did not start within %v: %s", startTimeout, c.logTail())
		case <-tick.C:
		}
	}
	return nil
}

// ready reports whether postmaster.pid says that the server is ready.
func (c *cluster) ready() bool {
	const statusLine = 7 // LOCK_FILE_LINE_PM_STATUS - 1
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) > statusLine && strings.TrimSpace(lines[statusLine]) == "ready"
}

// logTail returns the end of the server's log, for error messages.
func (c *cluster) logTail() string {
	const size = 2000
	b, _ := os.ReadFile(c.logFile())
	b = bytes.TrimSpace(b)
	return string(b[max(0, len(b)-size):])
}

// stop shuts the server down, if it runs, and removes the cluster's files.
func (c *cluster) stop() error {
	err := c.stopServer()
	if rmErr := os.RemoveAll(c.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("remove cluster directory: %w", rmErr))
	}
	return err
}

// stopServer asks the server for a fast shutdown and kills it if it has not
// exited in time.
func (c *cluster) stopServer() error {
	if c.server == nil || c.server.Process == nil {
		return nil
	}
	c.server.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
		return nil
	case <-time.After(commandTimeout):
		c.server.Process.Kill()
		<-c.exited
		return fmt.Errorf("postgres did not shut down within %v; killed it", commandTimeout)
	}
}

// run runs cmd in dir, or the current directory when dir is empty, and
// returns its output in the error when it fails.
func run(cmd *exec.Cmd, dir string) error {
	cmd.Dir = dir
	cmd.Env = clientEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, bytes.TrimSpace(out))
	}
	return nil
}

// clientEnv is the environment of the programs pgtest runs: no PG*
// variables of the caller's, which could point them at another server, and
// messages in English.
func clientEnv() []string {
	env := []string{"LC_ALL=C"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANG") {
			env = append(env, kv)
		}
	}
	return env
}
