package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/cli"
)

// TestDomains serves an app at a custom domain through the real CLI,
// paasd and paas-router: over TLS with the domain's own certificate
// (chosen by SNI) and over plain HTTP by Host, until the domain is
// removed. Hostnames the platform cannot take are refused with a message
// and exit code 1.
func TestDomains(t *testing.T) {
	const host = "www.example.test"
	s := newTestStack(t)
	login(t, s)
	dir := newApp(t, s, "hello from a custom domain")
	s.mustPaas(dir, "apps:create", "site")
	s.mustGit(dir, "push", "paas", "main")
	serves(t, s, "site", "hello from a custom domain")

	out := s.mustPaas(dir, "domains:add", host)
	if !strings.Contains(out, "Added "+host+" to site, with a self-signed certificate") {
		t.Fatalf("domains:add says:\n%s", out)
	}
	var listed []paas.Domain
	decode(t, s.mustPaas(dir, "domains", "--json"), &listed)
	if len(listed) != 1 || listed[0].Hostname != host || listed[0].App != "site" || !listed[0].CertSelfSigned {
		t.Fatalf("paas domains = %+v; want %s of site, self-signed", listed, host)
	}

	var leaf *x509.Certificate
	eventually(t, 30*time.Second, func() string {
		code, body, cert, err := s.getTLS(host, nil)
		switch {
		case err != nil:
			return err.Error()
		case !slices.Equal(cert.DNSNames, []string{host}):
			return fmt.Sprintf("the router presents a certificate for %v; want one for %s", cert.DNSNames, host)
		case code != 200 || !strings.Contains(body, "hello from a custom domain"):
			return fmt.Sprintf("GET https://%s/ = %d %q", host, code, body)
		}
		leaf = cert
		return ""
	})
	t.Run("the certificate verifies for its name", func(t *testing.T) {
		roots := x509.NewCertPool()
		roots.AddCert(leaf)
		if code, _, _, err := s.getTLS(host, roots); err != nil || code != 200 {
			t.Fatalf("GET https://%s/ trusting its own certificate: %d %v", host, code, err)
		}
		if time.Until(leaf.NotAfter) < 80*24*time.Hour || !leaf.NotAfter.Truncate(24*time.Hour).Equal(listed[0].CertNotAfter.Truncate(24*time.Hour)) {
			t.Errorf("certificate expires %v, paas domains says %v; want the same day, about 90 days away", leaf.NotAfter, listed[0].CertNotAfter)
		}
		_, _, other, err := s.getTLS("other.example.test", nil)
		if err != nil || slices.Contains(other.DNSNames, host) {
			t.Errorf("an unknown name got the certificate of %v (err %v); want the router's own", other.DNSNames, err)
		}
	})
	t.Run("plain HTTP routes by Host", func(t *testing.T) {
		for _, h := range []string{host, host + ":" + s.routerPort, "WWW.Example.Test."} {
			if code, body := s.getHost(h); code != 200 || !strings.Contains(body, "hello from a custom domain") {
				t.Errorf("GET http://%s/ = %d %q; want the app", h, code, body)
			}
		}
	})
	t.Run("bad hostnames", func(t *testing.T) { badDomains(t, s, dir, host) })

	out = s.mustPaas(dir, "domains:remove", host)
	if !strings.Contains(out, "Removed "+host+" from site") {
		t.Errorf("domains:remove says:\n%s", out)
	}
	eventually(t, 30*time.Second, func() string {
		if code, _ := s.getHost(host); code != 404 {
			return fmt.Sprintf("GET http://%s/ after removal = %d; want 404", host, code)
		}
		code, _, cert, err := s.getTLS(host, nil)
		if err != nil || code != 404 || slices.Contains(cert.DNSNames, host) {
			return fmt.Sprintf("GET https://%s/ after removal = %d (err %v), certificate for %v; want 404 with the router's own", host, code, err, cert.DNSNames)
		}
		return ""
	})
	if out := s.mustPaas(dir, "domains"); !strings.Contains(out, "site has no custom domains") {
		t.Errorf("paas domains after removal:\n%s", out)
	}
	serves(t, s, "site", "hello from a custom domain")
}

// badDomains checks that names the platform cannot serve are refused
// with a message that says why, exit code 1, and nothing added.
func badDomains(t *testing.T, s *stack, dir, taken string) {
	for _, tc := range []struct{ host, want string }{
		{"Www.Example.Test", "upper-case"},
		{"www.example.test:8443", "port"},
		{"127.0.0.1", "IP address"},
		{"*.example.test", "wildcard"},
		{"localhost", "single label"},
		{"shop.localhost", "platform's own domain"},
		{"bad_name.example.test", "lower-case DNS name"},
		{taken, "already in use"},
	} {
		out, err := s.paas(dir, "domains:add", tc.host)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != cli.ExitError || !strings.Contains(out, tc.want) {
			t.Errorf("domains:add %q: %v\n%s\nwant exit code %d and a message with %q", tc.host, err, out, cli.ExitError, tc.want)
		}
	}
	out, err := s.paas(dir, "domains:remove", "nope.example.test")
	if err == nil || !strings.Contains(out, "nope.example.test") {
		t.Errorf("domains:remove of a domain the app lacks: %v\n%s", err, out)
	}
	var listed []paas.Domain
	decode(t, s.mustPaas(dir, "domains", "--json"), &listed)
	if len(listed) != 1 {
		t.Errorf("after refused adds the app has %d domains; want 1", len(listed))
	}
}

// getHost requests / from the router's plain listener with Host host.
func (s *stack) getHost(host string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.routerAddr+"/", nil)
	req.Host = host
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// getTLS requests https://host:<tls port>/ from the router's TLS listener,
// whatever host resolves to, sending host as SNI. With roots the
// certificate is verified for host; without, it is only returned.
func (s *stack) getTLS(host string, roots *x509.CertPool) (int, string, *x509.Certificate, error) {
	var leaf *x509.Certificate
	cfg := &tls.Config{ServerName: host, RootCAs: roots, InsecureSkipVerify: roots == nil,
		VerifyConnection: func(cs tls.ConnectionState) error {
			leaf = cs.PeerCertificates[0]
			return nil
		}}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: cfg,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, s.tlsAddr)
		},
	}}
	defer client.CloseIdleConnections()
	_, port, _ := net.SplitHostPort(s.tlsAddr)
	resp, err := client.Get("https://" + host + ":" + port + "/")
	if err != nil {
		return 0, "", &x509.Certificate{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), leaf, nil
}
