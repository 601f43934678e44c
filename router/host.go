package router

import "strings"

// maxHostLen bounds the Host header: a DNS name is at most 253 characters,
// plus a trailing dot and ":65535".
const maxHostLen = 253 + 1 + 6

// maxLabelLen is the longest DNS label, and so the longest app name the
// router can serve.
const maxLabelLen = 63

// appFromHost returns the app that host, a Host header, addresses under
// domain (already normalized): "Hello.Localhost:8080" is app "hello" under
// "localhost". It reports false for any host that is not exactly one valid
// DNS label followed by "."+domain.
func appFromHost(host, domain string) (string, bool) {
	name, ok := normalizeHost(host)
	if !ok {
		return "", false
	}
	app, found := strings.CutSuffix(name, "."+domain)
	if !found || !validLabel(app) {
		return "", false
	}
	return app, true
}

// normalizeHost strips the port and one trailing dot from host and
// lower-cases it. It reports false when host is too long or holds anything
// but letters, digits, dashes and dots, so that what it returns is safe to
// show back to the client.
func normalizeHost(host string) (string, bool) {
	if len(host) > maxHostLen {
		return "", false
	}
	name := stripPort(host)
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		if !hostChar(name[i]) {
			return "", false
		}
	}
	return strings.ToLower(name), true
}

// stripPort removes a ":port" suffix made of 1 to 5 digits. Anything else
// after a colon is left in place for hostChar to reject.
func stripPort(host string) string {
	i := strings.LastIndexByte(host, ':')
	if i < 0 {
		return host
	}
	port := host[i+1:]
	if len(port) == 0 || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
		return host
	}
	return host[:i]
}

func hostChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}

// validLabel reports whether s is a lower-case DNS label: 1 to 63 letters,
// digits and dashes, neither starting nor ending with a dash.
func validLabel(s string) bool {
	if len(s) == 0 || len(s) > maxLabelLen || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
