package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/domains"
)

// memPublisher stands in for Nomad: it keeps what was published.
type memPublisher map[string]paas.Domain

func (p memPublisher) SetDomain(_ context.Context, d paas.Domain) error {
	p[d.Hostname] = d
	return nil
}

func (p memPublisher) DeleteDomain(_ context.Context, host string) error {
	delete(p, host)
	return nil
}

func (p memPublisher) Domains(context.Context) ([]paas.Domain, error) { return nil, nil }

// TestDomainRoutes adds, lists and removes a domain through the real
// service and store, and checks that no key is ever shown.
func TestDomainRoutes(t *testing.T) {
	e := newTestEnv(t, Options{})
	pub := memPublisher{}
	e.domains.Domains = domains.New(domains.Options{PlatformDomain: "localhost"}, e.db, pub, slog.New(slog.DiscardHandler))
	e.addUser("olive", false)
	e.addApp("hello", "olive", nil)
	as := func(r request) request { r.bearer = e.tokens["olive"]; return r }

	w := e.do(as(request{method: "POST", path: "/v1/apps/hello/domains", body: `{"hostname":"www.example.com"}`}))
	if w.Code != 201 {
		t.Fatalf("add = %d: %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "PRIVATE KEY") || strings.Contains(w.Body.String(), "CERTIFICATE") {
		t.Errorf("add shows the certificate or key: %s", w.Body)
	}
	if d := pub["www.example.com"]; d.App != "hello" || !strings.Contains(d.KeyPEM, "PRIVATE KEY") {
		t.Errorf("published %+v", d)
	}

	w = e.do(as(request{method: "GET", path: "/v1/apps/hello/domains"}))
	var listed []paas.Domain
	if err := json.Unmarshal(w.Body.Bytes(), &listed); err != nil || w.Code != 200 {
		t.Fatalf("list = %d %s: %v", w.Code, w.Body, err)
	}
	if len(listed) != 1 || listed[0].Hostname != "www.example.com" || !listed[0].CertSelfSigned || listed[0].CertNotAfter.IsZero() {
		t.Errorf("listed %+v", listed)
	}
	if strings.Contains(w.Body.String(), "PRIVATE KEY") {
		t.Errorf("list shows a key: %s", w.Body)
	}

	for _, tc := range []struct {
		name, body string
		code       int
		says       string
	}{
		{"taken", `{"hostname":"www.example.com"}`, 409, "already in use"},
		{"under the platform domain", `{"hostname":"shop.localhost"}`, 422, "platform's own domain"},
		{"ip address", `{"hostname":"10.0.0.1"}`, 422, "IP address"},
		{"port", `{"hostname":"example.com:8443"}`, 422, "port"},
		{"bad label", `{"hostname":"-x.example.com"}`, 422, "dash"},
		{"key without certificate", `{"hostname":"a.example.com","key_pem":"x"}`, 422, "both a certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.do(as(request{method: "POST", path: "/v1/apps/hello/domains", body: tc.body}))
			if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.says) {
				t.Errorf("add = %d %s; want %d saying %q", w.Code, w.Body, tc.code, tc.says)
			}
		})
	}

	if w := e.do(as(request{method: "DELETE", path: "/v1/apps/hello/domains/www.example.com"})); w.Code != 204 {
		t.Fatalf("remove = %d: %s", w.Code, w.Body)
	}
	if _, ok := pub["www.example.com"]; ok {
		t.Error("removed domain still published")
	}
	if w := e.do(as(request{method: "DELETE", path: "/v1/apps/hello/domains/www.example.com"})); w.Code != 404 {
		t.Errorf("remove again = %d: %s", w.Code, w.Body)
	}
}
