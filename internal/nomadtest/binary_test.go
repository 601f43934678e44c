package nomadtest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBinary(t *testing.T) {
	cache := t.TempDir()
	for _, v := range []string{"1.9.3", "1.11.1", "1.10.0"} {
		writeExecutable(t, filepath.Join(cache, "nomad", v, "nomad"))
	}
	onPath := filepath.Join(t.TempDir(), "nomad")
	writeExecutable(t, onPath)

	t.Setenv("PATH", "")
	t.Setenv("PAAS_CACHE_DIR", cache)
	t.Setenv("PAAS_NOMAD_BIN", "")
	if got, err := Binary(); err != nil || got != filepath.Join(cache, "nomad", "1.11.1", "nomad") {
		t.Errorf("from cache: Binary() = %q, %v; want the newest cached version", got, err)
	}
	t.Setenv("PATH", filepath.Dir(onPath))
	if got, err := Binary(); err != nil || got != onPath {
		t.Errorf("from PATH: Binary() = %q, %v; want %s", got, err, onPath)
	}
	t.Setenv("PAAS_NOMAD_BIN", filepath.Join(cache, "nomad", "1.9.3", "nomad"))
	if got, err := Binary(); err != nil || got != os.Getenv("PAAS_NOMAD_BIN") {
		t.Errorf("from PAAS_NOMAD_BIN: Binary() = %q, %v", got, err)
	}
	t.Setenv("PAAS_NOMAD_BIN", filepath.Join(cache, "missing"))
	if _, err := Binary(); err == nil {
		t.Errorf("a PAAS_NOMAD_BIN that does not exist was accepted")
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int // sign
	}{
		{"1.10.0", "1.9.3", 1},
		{"1.11.1", "1.11.1", 0},
		{"1.2", "1.2.1", -1},
	}
	for _, tt := range tests {
		got := compareVersions(tt.a, tt.b)
		if (got > 0) != (tt.want > 0) || (got < 0) != (tt.want < 0) {
			t.Errorf("compareVersions(%s, %s) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func writeExecutable(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}
