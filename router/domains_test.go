package router

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/tlscert"
)

// testDomain returns a domain of app with a new self-signed certificate.
func testDomain(t *testing.T, host, app string) paas.Domain {
	t.Helper()
	cert, key, err := tlscert.SelfSigned([]string{host}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return paas.Domain{Hostname: host, App: app, CertPEM: cert, KeyPEM: key}
}

func TestCustomDomainRouting(t *testing.T) {
	r := newTestRouter(t, Options{})
	hello, other := newBackend(t, "hello-1", nil), newBackend(t, "other-1", nil)
	r.Update([]paas.Instance{hello.instance("hello"), other.instance("other")})
	waitHealthy(t, r, hello, other)
	r.UpdateDomains([]paas.Domain{
		testDomain(t, "www.example.com", "hello"),
		testDomain(t, "shop.example.org", "other"),
		testDomain(t, "other.localhost", "hello"), // would shadow app "other": ignored
		testDomain(t, "bad_name.example.com", "hello"),
	})
	f := newFrontend(t, r)
	for _, tc := range []struct {
		host, want string
		status     int
	}{
		{"www.example.com", "hello-1", 200},
		{"WWW.Example.COM:8080", "hello-1", 200},
		{"www.example.com.", "hello-1", 200},
		{"shop.example.org", "other-1", 200},
		{"other.localhost", "other-1", 200},
		{"hello.localhost", "hello-1", 200},
		{"example.com", "", 404},
		{"nope.example.com", "", 404},
	} {
		t.Run(tc.host, func(t *testing.T) {
			res, body := f.get(t, tc.host)
			if res.StatusCode != tc.status || tc.want != "" && body != tc.want {
				t.Errorf("GET Host %s = %d %q; want %d %q", tc.host, res.StatusCode, body, tc.status, tc.want)
			}
		})
	}
	if got := hello.lastRequest().Host; got != "www.example.com." && got != "www.example.com" {
		t.Logf("the app saw Host %q", got)
	}
	if n := len(r.Domains()); n != 2 {
		t.Errorf("Domains() has %d; want 2", n)
	}
	r.UpdateDomains(nil)
	if res, _ := f.get(t, "www.example.com"); res.StatusCode != 404 {
		t.Errorf("after removal: %d; want 404", res.StatusCode)
	}
}

// tlsFrontend serves r over TLS on a loopback port, as paas-router's TLS
// listener does, and returns its address and fallback certificate.
func tlsFrontend(t *testing.T, r *Router) (string, *x509.Certificate) {
	t.Helper()
	certPEM, keyPEM, err := tlscert.SelfSigned([]string{"*.localhost", "localhost"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fallback, err := tlscert.Pair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := r.NewServer(nil)
	go srv.Serve(tls.NewListener(ln, r.TLSConfig(fallback)))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), fallback.Leaf
}

// httpsClient trusts roots and dials addr whatever the URL's host, so
// that the URL's host is both the SNI and the Host header.
func httpsClient(addr string, roots *x509.CertPool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func TestTLSCustomDomains(t *testing.T) {
	r := newTestRouter(t, Options{})
	hello := newBackend(t, "hello-1", nil)
	r.Update([]paas.Instance{hello.instance("hello")})
	waitHealthy(t, r, hello)
	www, shop := testDomain(t, "www.example.com", "hello"), testDomain(t, "shop.example.com", "hello")
	r.UpdateDomains([]paas.Domain{www, shop})
	addr, fallback := tlsFrontend(t, r)

	roots := x509.NewCertPool()
	for _, d := range []paas.Domain{www, shop} {
		roots.AppendCertsFromPEM([]byte(d.CertPEM))
	}
	client := httpsClient(addr, roots)
	for _, host := range []string{"www.example.com", "shop.example.com"} {
		t.Run(host, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "https://"+host+"/", nil)
			req.Header.Set("X-Forwarded-Proto", "http")
			req.Header.Set("X-Forwarded-Host", "evil.example")
			res, err := client.Do(req)
			if err != nil {
				t.Fatalf("GET https://%s/: %v", host, err) // a wrong certificate fails verification
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || string(body) != "hello-1" {
				t.Fatalf("GET = %d %q", res.StatusCode, body)
			}
			if got := res.TLS.PeerCertificates[0].DNSNames; !slices.Equal(got, []string{host}) {
				t.Errorf("certificate names %v; want %s", got, host)
			}
			seen := hello.lastRequest()
			if p, h := seen.Header.Get("X-Forwarded-Proto"), seen.Header.Get("X-Forwarded-Host"); p != "https" || h != host {
				t.Errorf("the app saw X-Forwarded-Proto %q, X-Forwarded-Host %q; want https, %s", p, h, host)
			}
		})
	}

	for _, sni := range []string{"unknown.example.org", "hello.localhost", ""} {
		t.Run("fallback for SNI "+sni, func(t *testing.T) {
			conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			got := conn.ConnectionState().PeerCertificates[0]
			if !got.Equal(fallback) {
				t.Errorf("SNI %q got a certificate for %v; want the fallback", sni, got.DNSNames)
			}
		})
	}

	t.Run("app domain over TLS", func(t *testing.T) {
		roots := x509.NewCertPool()
		roots.AddCert(fallback)
		res, err := httpsClient(addr, roots).Get("https://hello.localhost/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || hello.lastRequest().Header.Get("X-Forwarded-Proto") != "https" {
			t.Errorf("GET = %d, proto %q", res.StatusCode, hello.lastRequest().Header.Get("X-Forwarded-Proto"))
		}
	})
}

func TestForgedProtoOnPlainHTTP(t *testing.T) {
	r := newTestRouter(t, Options{})
	hello := newBackend(t, "hello-1", nil)
	r.Update([]paas.Instance{hello.instance("hello")})
	waitHealthy(t, r, hello)
	r.UpdateDomains([]paas.Domain{testDomain(t, "www.example.com", "hello")})
	f := newFrontend(t, r)
	res, _ := f.do(t, "GET", "www.example.com", "/", header("X-Forwarded-Proto", "https"), nil)
	if res.StatusCode != 200 {
		t.Fatalf("GET = %d", res.StatusCode)
	}
	if got := hello.lastRequest().Header.Get("X-Forwarded-Proto"); got != "http" {
		t.Errorf("the app saw X-Forwarded-Proto %q; want http", got)
	}
}

func TestDomainsInSnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "table.json")
	r := newTestRouter(t, Options{StateFile: path})
	www := testDomain(t, "www.example.com", "hello")
	r.UpdateDomains([]paas.Domain{www})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v; want 0600 (it holds private keys)", fi.Mode().Perm())
	}
	snap, err := ReadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	restored := newTestRouter(t, Options{})
	restored.Restore(snap)
	if got := restored.Domains(); len(got) != 1 || got[0] != www {
		t.Fatalf("restored domains %v", got)
	}
	if app, ok := restored.appOf("www.example.com"); !ok || app != "hello" {
		t.Errorf("appOf = %q, %v", app, ok)
	}
	cfg := restored.TLSConfig(nil)
	c, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "www.example.com"})
	if err != nil || c == nil || !slices.Equal(c.Leaf.DNSNames, []string{"www.example.com"}) {
		t.Errorf("restored certificate = %v, %v", c, err)
	}
}
