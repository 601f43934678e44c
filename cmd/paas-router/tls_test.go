package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/tlscert"
	"github.com/gitpaas/paas/router"
)

// TestServesCustomDomainOverTLSFromStateFile starts paas-router with Nomad
// down and a state file that has a custom domain: the domain answers over
// TLS with its own certificate, and the app sees X-Forwarded-Proto https
// whatever the client sent.
func TestServesCustomDomainOverTLSFromStateFile(t *testing.T) {
	var proto atomic.Value
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			proto.Store(r.Header.Get("X-Forwarded-Proto"))
		}
		io.WriteString(w, "secure hello")
	}))
	t.Cleanup(app.Close)
	certPEM, keyPEM, err := tlscert.SelfSigned([]string{"www.example.com"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "router-table.json")
	saved := router.Snapshot{Version: 1, SavedAt: time.Now(),
		Instances: []paas.Instance{{App: "hello", Release: 1, AllocID: "a1", Addr: app.Listener.Addr().String(), HealthPath: "/health"}},
		Domains:   []router.SnapshotDomain{{Hostname: "www.example.com", App: "hello", CertPEM: certPEM, KeyPEM: keyPEM}}}
	if err := router.WriteSnapshot(state, saved); err != nil {
		t.Fatal(err)
	}
	m := startRouter(t, t.Context(), nil, "--nomad-addr", downNomad, "--state-file", state)
	addr := m.tlsLn.Addr().String()

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(certPEM))
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
	}}
	eventually(t, "www.example.com served over TLS", func() bool {
		req, _ := http.NewRequest(http.MethodGet, "https://www.example.com/", nil)
		req.Header.Set("X-Forwarded-Proto", "http")
		res, err := client.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode == 200 && string(body) == "secure hello"
	})
	if got := proto.Load(); got != "https" {
		t.Errorf("the app saw X-Forwarded-Proto %q; want https", got)
	}
}
