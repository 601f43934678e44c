package router

import (
	"strings"
	"testing"
)

func TestAppFromHost(t *testing.T) {
	tests := []struct {
		name    string
		host    string
		domain  string
		wantApp string
		wantOK  bool
	}{
		{"plain", "hello.localhost", "localhost", "hello", true},
		{"port", "hello.localhost:8080", "localhost", "hello", true},
		{"upper case", "HeLLo.LOCALHOST", "localhost", "hello", true},
		{"trailing dot and port", "hello.localhost.:80", "localhost", "hello", true},
		{"digits and dashes", "my-app-2.localhost", "localhost", "my-app-2", true},
		{"multi-label domain", "hello.apps.example.com", "apps.example.com", "hello", true},
		{"empty", "", "localhost", "", false},
		{"bare domain", "localhost", "localhost", "", false},
		{"empty label", ".localhost", "localhost", "", false},
		{"nested", "a.hello.localhost", "localhost", "", false},
		{"leading dash", "-hello.localhost", "localhost", "", false},
		{"trailing dash", "hello-.localhost", "localhost", "", false},
		{"underscore", "hel_lo.localhost", "localhost", "", false},
		{"label too long", strings.Repeat("a", 64) + ".localhost", "localhost", "", false},
		{"longest label", strings.Repeat("a", 63) + ".localhost", "localhost", strings.Repeat("a", 63), true},
		{"host too long", strings.Repeat("a", 300) + ".localhost", "localhost", "", false},
		{"empty port", "hello.localhost:", "localhost", "", false},
		{"port too long", "hello.localhost:123456", "localhost", "", false},
		{"port not digits", "hello.localhost:http", "localhost", "", false},
		{"two ports", "hello.localhost:1:2", "localhost", "", false},
		{"ipv6 literal", "[::1]:8080", "localhost", "", false},
		{"markup", "<script>.localhost", "localhost", "", false},
		{"space", "hello .localhost", "localhost", "", false},
		{"nul", "hello\x00.localhost", "localhost", "", false},
		{"non-ascii", "héllo.localhost", "localhost", "", false},
		{"kelvin sign lower-cases to k", "\u212aelvin.localhost", "localhost", "", false},
		{"suffix without dot", "hellolocalhost", "localhost", "", false},
		{"other domain", "hello.example.com", "localhost", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, ok := appFromHost(tc.host, tc.domain)
			if app != tc.wantApp || ok != tc.wantOK {
				t.Errorf("appFromHost(%q, %q) = %q, %v; want %q, %v", tc.host, tc.domain, app, ok, tc.wantApp, tc.wantOK)
			}
		})
	}
}

// FuzzAppFromHost checks that any Host header either names a valid app
// that maps back to itself, or is rejected, without panicking.
func FuzzAppFromHost(f *testing.F) {
	for _, seed := range []string{"hello.localhost", "HELLO.localhost:8080", "a.b.localhost", "<script>.localhost", "[::1]:80", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, host string) {
		for _, domain := range []string{"localhost", "apps.example.com"} {
			app, ok := appFromHost(host, domain)
			if !ok {
				if app != "" {
					t.Fatalf("appFromHost(%q) = %q with ok false", host, app)
				}
				continue
			}
			if !validLabel(app) {
				t.Fatalf("appFromHost(%q) = %q, not a valid label", host, app)
			}
			if !strings.HasPrefix(strings.ToLower(host), app+".") {
				t.Fatalf("appFromHost(%q) = %q, not the host's first label", host, app)
			}
			if again, ok := appFromHost(app+"."+domain, domain); !ok || again != app {
				t.Fatalf("app %q from %q does not map back to itself: %q, %v", app, host, again, ok)
			}
			if name, ok := normalizeHost(host); !ok || strings.ContainsAny(name, "<>\"'& ") {
				t.Fatalf("normalizeHost(%q) = %q, %v for a routable host", host, name, ok)
			}
		}
	})
}
