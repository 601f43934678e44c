package api

import (
	"context"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// formationFunc is a FormationReader of one function.
type formationFunc func(ctx context.Context, app string) ([]paas.Process, error)

func (f formationFunc) Formation(ctx context.Context, app string) ([]paas.Process, error) {
	return f(ctx, app)
}

// TestFormationPrefersLiveCounts holds GET /v1/apps/:app/formation to the
// counts that run, which the autoscaler changes without a release.
func TestFormationPrefersLiveCounts(t *testing.T) {
	live := []paas.Process{{Type: "web", Count: 3, Min: 1, Max: 3}}
	h := &lifecycleHandlers{formations: formationFunc(func(_ context.Context, app string) ([]paas.Process, error) {
		if app != "hello" {
			t.Errorf("formation asked for %q, want hello", app)
		}
		return live, nil
	})}
	got, err := h.formation(context.Background(), &paas.App{Name: "hello", Release: 1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(live, got); diff != "" {
		t.Errorf("formation (-want +got):\n%s", diff)
	}
}
