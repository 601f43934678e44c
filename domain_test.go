package paas

import (
	"strings"
	"testing"
)

func TestValidateHostname(t *testing.T) {
	long := strings.Repeat("a", 63)
	for _, tc := range []struct {
		name, host string
		ok         bool
		says       string
	}{
		{"two labels", "example.com", true, ""},
		{"subdomain", "www.shop-1.example.co.uk", true, ""},
		{"punycode", "xn--bcher-kva.example", true, ""},
		{"label of 63", long + ".com", true, ""},
		{"253 characters", strings.Repeat(long+".", 3) + strings.Repeat("a", 61), true, ""},
		{"254 characters", strings.Repeat(long+".", 3) + strings.Repeat("a", 62), false, "at most 253"},
		{"empty", "", false, "empty"},
		{"single label", "localhost", false, "single label"},
		{"upper case", "WWW.Example.com", false, "upper-case"},
		{"label of 64", long + "a.com", false, "label of 64"},
		{"leading dash", "-www.example.com", false, "dash"},
		{"trailing dash", "www-.example.com", false, "dash"},
		{"empty label", "www..example.com", false, "empty label"},
		{"trailing dot", "example.com.", false, "empty label"},
		{"leading dot", ".example.com", false, "empty label"},
		{"underscore", "my_app.example.com", false, `'_'`},
		{"unicode", "bücher.example", false, "xn--"},
		{"space", "www example.com", false, `' '`},
		{"port", "example.com:443", false, "port"},
		{"ipv4", "127.0.0.1", false, "IP address"},
		{"ipv6", "::1", false, "IP address"},
		{"bracketed ipv6", "[::1]", false, "IP address"},
		{"wildcard", "*.example.com", false, "wildcard"},
		{"star inside", "a.*.example.com", false, `'*'`},
		{"platform domain itself", "paas.example.com", false, "platform's own domain"},
		{"under the platform domain", "hello.paas.example.com", false, "platform's own domain"},
		{"looks like the platform domain", "notpaas.example.com", true, ""},
		{"slash", "example.com/x", false, `'/'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateHostname(tc.host, "paas.example.com")
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateHostname(%q) = %v; want ok=%v", tc.host, err, tc.ok)
			}
			if err == nil {
				return
			}
			if ErrorCode(err) != EINVALID {
				t.Errorf("code %q; want %q", ErrorCode(err), EINVALID)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

func TestValidateHostnameUnderLocalhost(t *testing.T) {
	if err := ValidateHostname("x.localhost", "localhost"); err == nil {
		t.Error("x.localhost accepted under platform domain localhost")
	}
	if err := ValidateHostname("app.test", "localhost"); err != nil {
		t.Errorf("app.test: %v", err)
	}
}

func FuzzValidateHostname(f *testing.F) {
	for _, s := range []string{"example.com", "*.a.b", "1.2.3.4", "a..b", "x.localhost", "é.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if ValidateHostname(host, "localhost") != nil {
			return
		}
		if len(host) > MaxHostnameLen || strings.Trim(host, "abcdefghijklmnopqrstuvwxyz0123456789-.") != "" {
			t.Fatalf("accepted %q", host)
		}
	})
}
