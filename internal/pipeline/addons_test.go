package pipeline

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
)

// fakeAddons answers ProvisionDeclared with vars or err and records the
// types it was asked for.
type fakeAddons struct {
	vars  map[string]string
	err   error
	asked []string
}

func (f *fakeAddons) ProvisionDeclared(_ context.Context, _ string, types []string, _ map[string]string, _ string, _ io.Writer) (map[string]string, error) {
	f.asked = append(f.asked, types...)
	return f.vars, f.err
}

func TestProvisionAddons(t *testing.T) {
	newRelease := func(addons ...string) *paas.Release {
		return &paas.Release{App: "hello", CreatedBy: "admin", Config: map[string]string{"GREETING": "hi"}, Spec: paas.ReleaseSpec{Addons: addons}}
	}
	p := New(Options{}, nil, nil, nil, slog.New(slog.DiscardHandler))
	if err := p.provisionAddons(t.Context(), newRelease("postgres"), io.Discard); err != nil {
		t.Errorf("without a provisioner: %v", err)
	}

	f := &fakeAddons{vars: map[string]string{"DATABASE_URL": "postgres://x"}}
	p.SetAddons(f)
	r := newRelease("postgres", "redis")
	if err := p.provisionAddons(t.Context(), r, io.Discard); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"GREETING": "hi", "DATABASE_URL": "postgres://x"}, r.Config); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}
	if !cmp.Equal(f.asked, []string{"postgres", "redis"}) {
		t.Errorf("asked for %v", f.asked)
	}

	f.asked = nil
	if err := p.provisionAddons(t.Context(), newRelease(), io.Discard); err != nil || f.asked != nil {
		t.Errorf("a release without add-ons asked for %v (%v)", f.asked, err)
	}

	f.err = errors.New("nomad is down")
	err := p.provisionAddons(t.Context(), newRelease("postgres"), io.Discard)
	if err == nil || paas.ErrorMessage(err) == "nomad is down" {
		t.Errorf("an internal error reaches the pusher as %q", paas.ErrorMessage(err))
	}
}
