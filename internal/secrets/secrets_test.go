package secrets

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key, err := LoadOrCreateKey(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	box, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(`{"DATABASE_PASSWORD":"hunter2"}`)
	sealed := box.Seal(secret, []byte("app:hello"))
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("sealed value contains the plaintext")
	}
	if again := box.Seal(secret, []byte("app:hello")); bytes.Equal(again, sealed) {
		t.Error("two seals of one value are equal; nonces must differ")
	}
	got, err := box.Open(sealed, []byte("app:hello"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	for name, tc := range map[string]struct{ sealed, ad []byte }{
		"other app":  {sealed, []byte("app:other")},
		"tampered":   {append(append([]byte{}, sealed[:len(sealed)-1]...), sealed[len(sealed)-1]^1), []byte("app:hello")},
		"truncated":  {sealed[:5], []byte("app:hello")},
		"plain text": {[]byte("hello"), []byte("app:hello")},
	} {
		if _, err := box.Open(tc.sealed, tc.ad); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v; want 0600", info.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load = %x, %v; want the same key", k2, err)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Error("a world-readable key was accepted")
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Error("a malformed key was accepted")
	}
}
