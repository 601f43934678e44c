package paas

import "strings"

// MaxAppNameLen bounds app names so that "<app>.<domain>" stays a short DNS
// name and Nomad job names stay readable.
const MaxAppNameLen = 30

// reservedAppNames would collide with the platform's own host names.
var reservedAppNames = map[string]bool{"api": true, "git": true, "www": true, "console": true, "paas": true}

// ValidateAppName reports whether name can name an app: a DNS label of
// lower-case letters, digits and dashes that starts with a letter, does not
// end with a dash and is at most MaxAppNameLen long.
func ValidateAppName(name string) error {
	const hint = "use 1-30 lower-case letters, digits and dashes, starting with a letter (e.g. my-app)"
	switch {
	case name == "":
		return Errorf(EINVALID, "app name is empty; %s", hint)
	case len(name) > MaxAppNameLen:
		return Errorf(EINVALID, "app name %q is %d characters long; %s", clip(name), len(name), hint)
	case name[0] < 'a' || name[0] > 'z':
		return Errorf(EINVALID, "app name %q must start with a lower-case letter; %s", clip(name), hint)
	case strings.HasSuffix(name, "-"):
		return Errorf(EINVALID, "app name %q must not end with a dash; %s", name, hint)
	case reservedAppNames[name]:
		return Errorf(EINVALID, "app name %q is reserved by the platform; choose another", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return Errorf(EINVALID, "app name %q contains %q; %s", clip(name), r, hint)
		}
	}
	return nil
}

// clip shortens untrusted input before it is echoed back in a message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// Limits of config vars.
const (
	MaxConfigKeyLen   = 256
	MaxConfigValueLen = 32 << 10
	MaxConfigVars     = 500
)

// ValidateConfigKey reports whether key can name a config var: letters,
// digits and underscores, not starting with a digit. PORT and PAAS_* are
// the platform's own.
func ValidateConfigKey(key string) error {
	const hint = "use letters, digits and underscores, not starting with a digit (e.g. DATABASE_URL)"
	if key == "" {
		return Errorf(EINVALID, "config var name is empty; %s", hint)
	}
	if len(key) > MaxConfigKeyLen {
		return Errorf(EINVALID, "config var name %q is longer than %d characters", clip(key), MaxConfigKeyLen)
	}
	for i, r := range key {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return Errorf(EINVALID, "config var name %q is not valid; %s", clip(key), hint)
		}
	}
	if key == "PORT" || strings.HasPrefix(key, "PAAS_") {
		return Errorf(EINVALID, "config var %s is set by the platform; choose another name", key)
	}
	return nil
}

// ValidateConfigValue reports whether value can be a config var's value.
// The value itself is never echoed: it may be a secret.
func ValidateConfigValue(key, value string) error {
	if len(value) > MaxConfigValueLen {
		return Errorf(EINVALID, "the value of %s is %d bytes; the limit is %d", key, len(value), MaxConfigValueLen)
	}
	if strings.ContainsRune(value, 0) {
		return Errorf(EINVALID, "the value of %s contains a NUL byte, which environment variables cannot hold", key)
	}
	return nil
}
