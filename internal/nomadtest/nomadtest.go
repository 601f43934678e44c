// Package nomadtest starts a real Nomad agent, server and client in one
// process, for integration tests that place containers with Docker.
//
// A test binary shares one agent when its TestMain calls Main:
//
//	func TestMain(m *testing.M) { os.Exit(nomadtest.Main(m)) }
//
// Start then returns the address of that agent, starting it on first use;
// without Main each call to Start runs an agent of its own. When the nomad
// binary or Docker is missing, Start skips the test, except when the
// environment has CI=true, where it fails it.
//
// This package speaks Nomad's HTTP API with net/http: only the scheduler
// package imports the Nomad client.
package nomadtest

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// shared is the agent of a test binary whose TestMain calls Main.
var shared struct {
	sync.Mutex
	enabled bool
	agent   *Agent
	err     error
}

// Main runs the tests of m with one shared agent, which it stops (purging
// every job it ran) when they are done. It returns the exit code for
// os.Exit.
func Main(m *testing.M) int {
	shared.Lock()
	shared.enabled = true
	shared.Unlock()
	code := m.Run()
	defer removeRunner()
	shared.Lock()
	defer shared.Unlock()
	if shared.agent != nil {
		if err := shared.agent.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "nomadtest: stop agent: %v\n", err)
		}
	}
	return code
}

// Start returns the HTTP address (http://127.0.0.1:port) of a Nomad agent
// whose client is ready and whose docker driver is healthy.
func Start(t testing.TB) string {
	t.Helper()
	bin := requireAgent(t)
	shared.Lock()
	defer shared.Unlock()
	if !shared.enabled {
		a, err := StartAgent(bin)
		if err != nil {
			t.Fatalf("nomadtest: %v", err)
		}
		t.Cleanup(func() {
			if err := a.Stop(); err != nil {
				t.Errorf("nomadtest: stop agent: %v", err)
			}
		})
		return a.Addr
	}
	if shared.agent == nil && shared.err == nil {
		shared.agent, shared.err = StartAgent(bin)
	}
	if shared.err != nil {
		t.Fatalf("nomadtest: %v", shared.err)
	}
	return shared.agent.Addr
}

// requireAgent returns the nomad binary, or skips (fails under CI=true)
// when it or Docker is missing.
func requireAgent(t testing.TB) string {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		absent(t, "%v", err)
	}
	if err := DockerAvailable(); err != nil {
		absent(t, "%v", err)
	}
	return bin
}

// absent skips the test for a missing dependency, or fails it when the
// environment says it runs in CI, where nothing may be missing.
func absent(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("nomadtest: %s (CI=true: a missing dependency is a failure)", msg)
	}
	t.Skipf("nomadtest: %s; skipping", msg)
}
