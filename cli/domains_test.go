package cli

import "testing"

func TestDomainsAddNeedsBothCertAndKey(t *testing.T) {
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	for _, args := range [][]string{
		{"domains:add", "www.example.com", "--cert", "c.pem", "-a", "hello"},
		{"domains:add", "www.example.com", "--key", "k.pem", "-a", "hello"},
	} {
		r := h.run("", args...)
		if r.code == 0 {
			t.Errorf("%v succeeded", args)
		}
		wantError(t, r.stderr, "give both --cert and --key")
	}
	wantError(t, h.run("", "domains:add", "-a", "hello").stderr, "missing HOSTNAME")
}
