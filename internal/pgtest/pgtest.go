// Package pgtest gives tests a fresh, empty PostgreSQL database each.
//
// The first call to DSN starts a throw-away cluster (initdb in a temporary
// directory, unix socket only, fsync off) that every test of the binary
// shares; Main stops it and removes its files when the tests are done. When
// the PostgreSQL server binaries are not installed, DSN skips the test,
// unless the environment sets CI=true, where it fails it instead.
//
// Run as root, pgtest runs the server as the postgres user, since
// PostgreSQL refuses to run as root. The server dies with the test binary,
// also when a -timeout kills it; then only its temporary directory is left.
//
// Use it from a test package as
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		dsn := pgtest.DSN(t)
//		…
//	}
package pgtest

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
)

// shared is the cluster of this test binary, started by the first DSN.
var shared struct {
	mu      sync.Mutex
	main    bool     // Main is running the tests
	cluster *cluster // nil until started
	err     error    // why the cluster could not start; reported to every later test
}

// Main runs the tests of m and then stops the shared cluster, if a test
// started it. It returns the exit code for os.Exit. Call it from TestMain.
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.main = true
	shared.mu.Unlock()

	code := m.Run()

	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster == nil {
		return code
	}
	if err := shared.cluster.stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	shared.cluster = nil
	return code
}

// DSN creates an empty database for t in the shared cluster and returns a
// lib/pq connection string for it: the superuser postgres over the unix
// socket, sslmode=disable. The database is dropped when t finishes, even if
// connections to it are still open.
func DSN(t testing.TB) string {
	t.Helper()
	c, err := sharedCluster()
	if err != nil {
		unavailable(t, err, inCI())
		return ""
	}
	name := c.nextDatabaseName(t.Name())
	if err := c.createdb(name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.dropdb(name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c.dsn(name)
}

// sharedCluster returns the cluster of this test binary, starting it on the
// first call.
func sharedCluster() (*cluster, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.main {
		return nil, errors.New("the cluster is stopped by pgtest.Main; add to the package's tests: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }")
	}
	if shared.cluster == nil && shared.err == nil {
		shared.cluster, shared.err = start()
	}
	return shared.cluster, shared.err
}

// unavailable ends t because no cluster could be had: a skip when the
// PostgreSQL binaries are not installed, unless ci is set, and a failure for
// every other reason.
func unavailable(t testing.TB, err error, ci bool) {
	t.Helper()
	if errors.Is(err, errNotInstalled) && !ci {
		t.Skipf("pgtest: skipping: %v", err)
		return
	}
	t.Fatalf("pgtest: %v", err)
}

// inCI reports whether the tests run in continuous integration, where a
// missing PostgreSQL is a failure rather than a reason to skip.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}
