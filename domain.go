package paas

import (
	"net/netip"
	"strings"
	"time"
)

// Domain is a custom hostname that routes to an app, with the certificate
// the router presents for it. A hostname belongs to at most one app.
type Domain struct {
	Hostname  string    `json:"hostname"`
	App       string    `json:"app"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	// CertNotAfter is when the certificate expires, and CertSelfSigned
	// whether the platform made it rather than the user uploading it.
	CertNotAfter   time.Time `json:"cert_not_after,omitzero"`
	CertSelfSigned bool      `json:"cert_self_signed"`
	// CertPEM is the certificate chain and KeyPEM its private key, both
	// PEM. They are never part of the JSON of a Domain: the API does not
	// show them, and those who carry them (the scheduler, the router's
	// state file) say so explicitly.
	CertPEM string `json:"-"`
	KeyPEM  string `json:"-"`
}

// MaxHostnameLen is the longest DNS name.
const MaxHostnameLen = 253

// ValidateHostname reports whether host can be a custom domain: a
// lower-case DNS name of at least two labels, each of 1 to 63 letters,
// digits and dashes that neither start nor end with a dash, at most 253
// characters in all; not an IP address, without a port or a wildcard, and
// not under platformDomain, whose names belong to apps (<app>.<domain>).
func ValidateHostname(host, platformDomain string) error {
	const hint = "use a lower-case DNS name such as www.example.com"
	switch {
	case host == "":
		return Errorf(EINVALID, "hostname is empty; %s", hint)
	case len(host) > MaxHostnameLen:
		return Errorf(EINVALID, "hostname %q is %d characters long; a DNS name is at most %d", clip(host), len(host), MaxHostnameLen)
	case strings.HasPrefix(host, "*."):
		return Errorf(EINVALID, "hostname %q is a wildcard; add each name on its own (e.g. www.example.com)", clip(host))
	case isIP(host):
		return Errorf(EINVALID, "hostname %q is an IP address; a custom domain must be a DNS name (%s)", clip(host), hint)
	case strings.Contains(host, ":"):
		return Errorf(EINVALID, "hostname %q has a port or a colon; give the name alone (%s)", clip(host), hint)
	case strings.ToLower(host) != host:
		return Errorf(EINVALID, "hostname %q has upper-case letters; use %q", clip(host), clip(strings.ToLower(host)))
	}
	if err := validateLabels(host, hint); err != nil {
		return err
	}
	if d := strings.ToLower(strings.TrimSuffix(platformDomain, ".")); d != "" && (host == d || strings.HasSuffix(host, "."+d)) {
		return Errorf(EINVALID, "hostname %q is under the platform's own domain %s, where <app>.%s already routes to apps; use a domain of your own", clip(host), d, d)
	}
	return nil
}

func validateLabels(host, hint string) error {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return Errorf(EINVALID, "hostname %q has a single label; %s", clip(host), hint)
	}
	for _, l := range labels {
		if err := validateLabel(host, l, hint); err != nil {
			return err
		}
	}
	return nil
}

func validateLabel(host, l, hint string) error {
	switch {
	case l == "":
		return Errorf(EINVALID, "hostname %q has an empty label (two dots, or a dot at an end); %s", clip(host), hint)
	case len(l) > 63:
		return Errorf(EINVALID, "hostname %q has a label of %d characters; the limit is 63", clip(host), len(l))
	case l[0] == '-' || l[len(l)-1] == '-':
		return Errorf(EINVALID, "hostname %q has a label that starts or ends with a dash; %s", clip(host), hint)
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return Errorf(EINVALID, "hostname %q contains %q; %s (internationalised names in their xn-- form)", clip(host), r, hint)
		}
	}
	return nil
}

// isIP reports whether host is an IPv4 or IPv6 address, bracketed or not.
func isIP(host string) bool {
	_, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil
}
