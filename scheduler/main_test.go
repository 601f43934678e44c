package scheduler

import (
	"os"
	"testing"

	"github.com/gitpaas/paas/internal/nomadtest"
)

// TestMain shares one Nomad agent between the integration tests: starting
// one takes seconds.
func TestMain(m *testing.M) { os.Exit(nomadtest.Main(m)) }
