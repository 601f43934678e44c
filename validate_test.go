package paas

import (
	"strings"
	"testing"
)

func TestValidateAppName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"hello", true},
		{"my-app-2", true},
		{"a", true},
		{strings.Repeat("a", 30), true},
		{strings.Repeat("a", 31), false},
		{"", false},
		{"Hello", false},
		{"../x", false},
		{"-lead", false},
		{"trail-", false},
		{"2fast", false},
		{"a;rm -rf /", false},
		{"a_b", false},
		{"api", false},
		{"héllo", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateAppName(tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateAppName(%q) = %v; want ok=%v", tc.name, err, tc.ok)
			}
			if err != nil && ErrorCode(err) != EINVALID {
				t.Errorf("code %q; want %q", ErrorCode(err), EINVALID)
			}
		})
	}
}

func TestValidateConfig(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"DATABASE_URL", true},
		{"_x", true},
		{"lower_ok", true},
		{"A1", true},
		{"1A", false},
		{"", false},
		{"A-B", false},
		{"A=B", false},
		{"PORT", false},
		{"PAAS_APP", false},
		{strings.Repeat("A", 257), false},
	} {
		if err := ValidateConfigKey(tc.key); (err == nil) != tc.ok {
			t.Errorf("ValidateConfigKey(%q) = %v; want ok=%v", tc.key, err, tc.ok)
		}
	}
	if err := ValidateConfigValue("K", "a\x00b"); err == nil {
		t.Error("a NUL byte in a value was accepted")
	}
	if err := ValidateConfigValue("K", strings.Repeat("x", MaxConfigValueLen+1)); err == nil {
		t.Error("an oversized value was accepted")
	}
	if err := ValidateConfigValue("K", "s3cr3t-value"); err != nil {
		t.Error(err)
	}
	if err := ValidateConfigValue("K", strings.Repeat("s3cr3t", 10000)); err != nil && strings.Contains(err.Error(), "s3cr3t") {
		t.Error("the error echoes the value")
	}
}

func FuzzValidateAppName(f *testing.F) {
	for _, s := range []string{"hello", "../x", "-a", "A", "a-", strings.Repeat("z", 31)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateAppName(name) != nil {
			return
		}
		if len(name) > MaxAppNameLen || strings.ContainsAny(name, "./ ;$`\\\"'") || strings.ToLower(name) != name {
			t.Fatalf("accepted unsafe name %q", name)
		}
	})
}
