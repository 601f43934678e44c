package tlscert

import (
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas"
)

func TestSelfSignedPassesCheck(t *testing.T) {
	now := time.Now()
	cert, key, err := SelfSigned([]string{"www.example.com"}, Validity, now)
	if err != nil {
		t.Fatal(err)
	}
	info, err := Check(cert, key, "www.example.com", now)
	if err != nil {
		t.Fatal(err)
	}
	if !info.SelfSigned || info.NotAfter.Sub(now) < Validity-time.Minute {
		t.Errorf("info = %+v", info)
	}
	if _, err := Pair(cert, key); err != nil {
		t.Error(err)
	}
}

func TestCheckRefuses(t *testing.T) {
	now := time.Now()
	cert, key, _ := SelfSigned([]string{"www.example.com"}, Validity, now)
	_, otherKey, _ := SelfSigned([]string{"www.example.com"}, Validity, now)
	old, oldKey, _ := SelfSigned([]string{"www.example.com"}, time.Minute, now.Add(-time.Hour))
	for _, tc := range []struct {
		name, cert, key, host, says string
	}{
		{"key of another certificate", cert, otherKey, "www.example.com", "not a valid PEM pair"},
		{"not PEM", "hello", key, "www.example.com", "not a valid PEM pair"},
		{"other hostname", cert, key, "api.example.com", "does not name api.example.com"},
		{"expired", old, oldKey, "www.example.com", "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(tc.cert, tc.key, tc.host, now)
			if paas.ErrorCode(err) != paas.EINVALID || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("Check = %v; want invalid saying %q", err, tc.says)
			}
			if err != nil && strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Error("error shows the key")
			}
		})
	}
}
