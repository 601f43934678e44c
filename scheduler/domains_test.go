package scheduler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDomainPath(t *testing.T) {
	long := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + ".example.com"
	for _, tc := range []struct{ host, want string }{
		{"www.example.com", "paas/domains/www~example~com"},
		{"a-b.c", "paas/domains/a-b~c"},
	} {
		if got := domainPath(tc.host); got != tc.want {
			t.Errorf("domainPath(%q) = %q; want %q", tc.host, got, tc.want)
		}
	}
	if p := domainPath(long); len(p) > maxVariablePath || !strings.HasPrefix(p, domainsPrefix+"sha256-") {
		t.Errorf("domainPath of a long name = %q", p)
	}
}

func TestWatchDomainsSeesChanges(t *testing.T) {
	s := newTestScheduler(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Another test on the shared agent may publish domains too: look only
	// at this test's hostnames.
	suffix := "." + strings.ToLower(strings.ReplaceAll(t.Name(), "_", "-")) + ".test"
	seen := make(chan []paas.Domain, 16)
	go s.WatchDomains(ctx, func(ds []paas.Domain) {
		var mine []paas.Domain
		for _, d := range ds {
			if strings.HasSuffix(d.Hostname, suffix) {
				mine = append(mine, d)
			}
		}
		seen <- mine
	})
	www := paas.Domain{Hostname: "www" + suffix, App: "hello", CertPEM: "CERT", KeyPEM: "KEY"}
	long := paas.Domain{Hostname: strings.Repeat("a", 63) + "." + strings.Repeat("b", 40) + suffix, App: "other", CertPEM: "C2", KeyPEM: "K2"}
	for _, d := range []paas.Domain{www, long} {
		if err := s.SetDomain(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	waitDomains(t, seen, []paas.Domain{long, www})
	got, err := s.Domains(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !containsDomain(got, www) || !containsDomain(got, long) {
		t.Errorf("Domains = %v", got)
	}
	if err := s.DeleteDomain(ctx, www.Hostname); err != nil {
		t.Fatal(err)
	}
	waitDomains(t, seen, []paas.Domain{long})
	if err := s.DeleteDomain(ctx, www.Hostname); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if err := s.DeleteDomain(ctx, long.Hostname); err != nil {
		t.Fatal(err)
	}
}

func containsDomain(ds []paas.Domain, d paas.Domain) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

func waitDomains(t *testing.T, seen <-chan []paas.Domain, want []paas.Domain) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	var last []paas.Domain
	for {
		select {
		case got := <-seen:
			last = got
			if cmp.Diff(want, got, cmpopts.EquateEmpty()) == "" {
				return
			}
		case <-deadline:
			t.Fatalf("WatchDomains: last saw %v; want %v", last, want)
		}
	}
}
