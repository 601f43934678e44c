package scheduler

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/nomad/api"
)

func TestInstanceOf(t *testing.T) {
	reg := func(name string, tags ...string) *api.ServiceRegistration {
		return &api.ServiceRegistration{ServiceName: name, AllocID: "a1", Address: "127.0.0.1", Port: 23000, Tags: tags}
	}
	tests := []struct {
		name string
		reg  *api.ServiceRegistration
		want *paas.Instance
	}{
		{"web instance", reg("paas-hello-web", "paas.app=hello", "paas.release=3", "paas.health=/up"),
			&paas.Instance{App: "hello", Release: 3, AllocID: "a1", Addr: "127.0.0.1:23000", HealthPath: "/up"}},
		{"health path defaults to /", reg("paas-hello-web", "paas.app=hello", "paas.release=3"),
			&paas.Instance{App: "hello", Release: 3, AllocID: "a1", Addr: "127.0.0.1:23000", HealthPath: "/"}},
		{"no app tag", reg("paas-hello-web", "paas.release=3"), nil},
		{"bad release", reg("paas-hello-web", "paas.app=hello", "paas.release=x"), nil},
		{"name of another app", reg("paas-other-web", "paas.app=hello", "paas.release=3"), nil},
		{"no port", &api.ServiceRegistration{ServiceName: "paas-hello-web", Address: "127.0.0.1", Tags: []string{"paas.app=hello", "paas.release=3"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := instanceOf(tt.reg)
			if ok != (tt.want != nil) {
				t.Fatalf("ok = %v, want %v", ok, tt.want != nil)
			}
			if tt.want != nil {
				if diff := cmp.Diff(*tt.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}

// fakeCatalog serves Nomad's service endpoints from a script: each list
// request takes the next step, and once the script is done, requests block
// like a blocking query on a catalogue that does not change.
type fakeCatalog struct {
	mu      sync.Mutex
	steps   []catalogStep
	current []*api.ServiceRegistration
	indexes []string // the index parameter of each list request
}

// catalogStep is one answer: an error status, or the registrations at an
// index.
type catalogStep struct {
	status int
	index  int
	regs   []*api.ServiceRegistration
}

func (f *fakeCatalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	switch {
	case r.URL.Path == "/v1/services" && len(f.steps) == 0:
		f.mu.Unlock()
		<-r.Context().Done()
		return
	case r.URL.Path == "/v1/services":
		f.indexes = append(f.indexes, r.URL.Query().Get("index"))
		step := f.steps[0]
		f.steps = f.steps[1:]
		f.current = step.regs
		f.mu.Unlock()
		if step.status != 0 {
			http.Error(w, "no leader", step.status)
			return
		}
		stubs := map[string]*api.ServiceRegistrationStub{}
		for _, reg := range step.regs {
			stubs[reg.ServiceName] = &api.ServiceRegistrationStub{ServiceName: reg.ServiceName}
		}
		list := []*api.ServiceRegistrationListStub{{Namespace: "default"}}
		for _, s := range stubs {
			list[0].Services = append(list[0].Services, s)
		}
		writeJSON(w, step.index, list)
	case strings.HasPrefix(r.URL.Path, "/v1/service/"):
		name := strings.TrimPrefix(r.URL.Path, "/v1/service/")
		var out []*api.ServiceRegistration
		for _, reg := range f.current {
			if reg.ServiceName == name {
				out = append(out, reg)
			}
		}
		f.mu.Unlock()
		writeJSON(w, 1, out)
	default:
		f.mu.Unlock()
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, index int, v any) {
	w.Header().Set("X-Nomad-Index", strconv.Itoa(index))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func TestWatchInstancesKeepsLastSetWhileNomadIsDown(t *testing.T) {
	a := &api.ServiceRegistration{ServiceName: "paas-a-web", AllocID: "a1", Address: "127.0.0.1", Port: 2001, Tags: []string{"paas.app=a", "paas.release=1", "paas.health=/"}}
	b := &api.ServiceRegistration{ServiceName: "paas-b-web", AllocID: "b1", Address: "127.0.0.1", Port: 2002, Tags: []string{"paas.app=b", "paas.release=4", "paas.health=/hz"}}
	other := &api.ServiceRegistration{ServiceName: "postgres", AllocID: "p1", Address: "127.0.0.1", Port: 5432}
	fake := &fakeCatalog{steps: []catalogStep{
		{status: 500}, // agent not ready: no call
		{index: 5, regs: []*api.ServiceRegistration{a, other}}, // first set
		{index: 6, regs: []*api.ServiceRegistration{a, other}}, // unchanged: no call
		{status: 500}, // agent down: no call, no empty set
		{status: 500},
		{index: 9, regs: []*api.ServiceRegistration{a, b}}, // changed
		{index: 10}, // all gone: a real empty set
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s, err := New(Options{Address: srv.URL}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got [][]paas.Instance
	done := make(chan error)
	go func() {
		done <- s.WatchInstances(ctx, func(in []paas.Instance) {
			got = append(got, in)
			if len(got) == 3 {
				cancel()
			}
		})
	}()
	if err := <-done; err != nil {
		t.Fatalf("WatchInstances = %v, want nil", err)
	}

	ia := paas.Instance{App: "a", Release: 1, AllocID: "a1", Addr: "127.0.0.1:2001", HealthPath: "/"}
	ib := paas.Instance{App: "b", Release: 4, AllocID: "b1", Addr: "127.0.0.1:2002", HealthPath: "/hz"}
	want := [][]paas.Instance{{ia}, {ia, ib}, nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reported sets (-want +got):\n%s", diff)
	}
	// After an answer the watcher waits on its index; after an error it
	// starts over.
	wantIndexes := []string{"", "", "5", "6", "", "", "9"}
	if diff := cmp.Diff(wantIndexes, fake.indexes[:min(len(fake.indexes), 7)]); diff != "" {
		t.Errorf("wait indexes (-want +got):\n%s", diff)
	}
}
