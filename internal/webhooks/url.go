package webhooks

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/gitpaas/paas"
)

// validateURL accepts an absolute http(s) URL without credentials whose
// host is not a private address, unless allowPrivate.
func validateURL(raw string, allowPrivate bool) error {
	const hint = "give an absolute http:// or https:// URL, e.g. https://ci.example.com/hooks/paas"
	if len(raw) > 2048 {
		return paas.Errorf(paas.EINVALID, "the webhook URL is longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return paas.Errorf(paas.EINVALID, "webhook URL %q is not valid; %s", clip(raw), hint)
	}
	if u.User != nil {
		return paas.Errorf(paas.EINVALID, "the webhook URL must not carry credentials; the platform signs each delivery instead")
	}
	if ip := net.ParseIP(u.Hostname()); ip != nil && !allowPrivate && private(ip) {
		return paas.Errorf(paas.EINVALID, "webhook URL %q points at a private or loopback address, which is not allowed", clip(raw))
	}
	if !allowPrivate && u.Hostname() == "localhost" {
		return paas.Errorf(paas.EINVALID, "webhook URL %q points at localhost, which is not allowed", clip(raw))
	}
	return nil
}

// private reports loopback, private, link-local (cloud metadata lives at
// 169.254.169.254) and unspecified addresses.
func private(ip net.IP) bool {
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified()
}

var errPrivateAddress = errors.New("the webhook's host resolves to a private address")

// newClient checks the address each connection actually dials, so a name
// that resolves (or is rebound) to a private address is refused too, and
// follows no redirects, which could lead anywhere.
func newClient(opts Options) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !opts.AllowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if ip := net.ParseIP(host); err != nil || ip == nil || private(ip) {
				return errPrivateAddress
			}
			return nil
		}
	}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second, TLSHandshakeTimeout: 5 * time.Second}
	return &http.Client{Transport: transport, Timeout: opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
