package domains

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/tlscert"
)

// memStore and memPublisher keep domains in maps.
type memStore map[string]paas.Domain

func (m memStore) CreateDomain(_ context.Context, d *paas.Domain) (*paas.Domain, error) {
	if _, ok := m[d.Hostname]; ok {
		return nil, paas.Errorf(paas.ECONFLICT, "taken")
	}
	m[d.Hostname] = *d
	return d, nil
}

func (m memStore) ListDomains(_ context.Context, app string) ([]*paas.Domain, error) {
	var out []*paas.Domain
	for _, d := range m {
		if d.App == app {
			d.CertPEM, d.KeyPEM = "", ""
			out = append(out, &d)
		}
	}
	return out, nil
}

func (m memStore) AllDomains(context.Context) ([]*paas.Domain, error) {
	var out []*paas.Domain
	for _, d := range m {
		out = append(out, &d)
	}
	return out, nil
}

func (m memStore) DeleteDomain(_ context.Context, app, host string) error {
	if d, ok := m[host]; !ok || d.App != app {
		return paas.Errorf(paas.ENOTFOUND, "no such domain")
	}
	delete(m, host)
	return nil
}

type memPublisher struct {
	domains map[string]paas.Domain
	down    bool
}

var errDown = errors.New("nomad is down")

func (p *memPublisher) SetDomain(_ context.Context, d paas.Domain) error {
	if p.down {
		return errDown
	}
	p.domains[d.Hostname] = d
	return nil
}

func (p *memPublisher) DeleteDomain(_ context.Context, host string) error {
	if p.down {
		return errDown
	}
	delete(p.domains, host)
	return nil
}

func (p *memPublisher) Domains(context.Context) ([]paas.Domain, error) {
	if p.down {
		return nil, errDown
	}
	return slices.Collect(maps.Values(p.domains)), nil
}

func newService() (*Service, memStore, *memPublisher) {
	store, pub := memStore{}, &memPublisher{domains: map[string]paas.Domain{}}
	return New(Options{PlatformDomain: "localhost"}, store, pub, slog.New(slog.DiscardHandler)), store, pub
}

var alice = &paas.User{Name: "alice"}

func TestAddSelfSigned(t *testing.T) {
	s, store, pub := newService()
	d, err := s.Add(t.Context(), "hello", alice, "www.example.com", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.CertPEM != "" || d.KeyPEM != "" || !d.CertSelfSigned || d.CreatedBy != "alice" {
		t.Errorf("Add returned %+v", d)
	}
	stored, published := store["www.example.com"], pub.domains["www.example.com"]
	if stored.KeyPEM == "" || published.KeyPEM != stored.KeyPEM || published.App != "hello" {
		t.Errorf("stored %+v, published %+v", stored, published)
	}
	if _, err := tlscert.Check(published.CertPEM, published.KeyPEM, "www.example.com", time.Now()); err != nil {
		t.Error(err)
	}
}

func TestAddUploaded(t *testing.T) {
	s, store, _ := newService()
	cert, key, _ := tlscert.SelfSigned([]string{"shop.example.com"}, time.Hour, time.Now())
	if _, err := s.Add(t.Context(), "hello", alice, "shop.example.com", cert, key); err != nil {
		t.Fatal(err)
	}
	if store["shop.example.com"].CertPEM != cert {
		t.Error("the uploaded certificate was not kept")
	}
	for name, args := range map[string][2]string{"cert without key": {cert, ""}, "key without cert": {"", key}} {
		_, err := s.Add(t.Context(), "hello", alice, "other.example.com", args[0], args[1])
		if paas.ErrorCode(err) != paas.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := s.Add(t.Context(), "hello", alice, "other.example.com", cert, key)
	if paas.ErrorCode(err) != paas.EINVALID {
		t.Errorf("certificate of another name: %v", err)
	}
}

func TestAddRefusesBadHostnames(t *testing.T) {
	s, store, _ := newService()
	for _, host := range []string{"x.localhost", "Example.com", "127.0.0.1", "example.com:443", "*.example.com"} {
		if _, err := s.Add(t.Context(), "hello", alice, host, "", ""); paas.ErrorCode(err) != paas.EINVALID {
			t.Errorf("Add(%q) = %v; want invalid", host, err)
		}
	}
	if len(store) != 0 {
		t.Errorf("stored %v", store)
	}
}

func TestAddLeavesNothingWhenNomadIsDown(t *testing.T) {
	s, store, pub := newService()
	pub.down = true
	_, err := s.Add(t.Context(), "hello", alice, "www.example.com", "", "")
	if paas.ErrorCode(err) != paas.EUNAVAILABLE {
		t.Fatalf("Add = %v; want unavailable", err)
	}
	if len(store) != 0 {
		t.Errorf("a row was left: %v", store)
	}
}

func TestSyncRepairs(t *testing.T) {
	s, store, pub := newService()
	if _, err := s.Add(t.Context(), "hello", alice, "www.example.com", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(t.Context(), "gone", alice, "old.example.com", "", ""); err != nil {
		t.Fatal(err)
	}
	delete(store, "old.example.com") // its app was destroyed
	pub.down = true
	if err := s.Remove(t.Context(), "hello", "www.example.com"); err != nil {
		t.Fatalf("Remove with Nomad down = %v", err)
	}
	store["new.example.com"] = paas.Domain{Hostname: "new.example.com", App: "hello", CertPEM: "C", KeyPEM: "K"}
	pub.down = false
	if err := s.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(pub.domains)); !slices.Equal(got, []string{"new.example.com"}) {
		t.Errorf("published after sync: %v", got)
	}
}
