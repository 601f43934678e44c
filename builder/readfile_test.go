package builder

import (
	"context"
	"strings"
	"testing"

	"github.com/gitpaas/paas"
)

func TestReadFile(t *testing.T) {
	appYML := "build:\n  stack: go\n"
	bare, commit := newRepo(t, map[string]file{
		"app.yml":       {Body: appYML},
		"Procfile":      {Body: "web: bin/web\n", Mode: 0o755},
		"config/a.yml":  {Body: "a: 1\n"},
		"big.txt":       {Body: strings.Repeat("x", 2048)},
		"link.yml":      {Link: "app.yml"},
		"dir/file.txt":  {Body: "x"},
		"empty.txt":     {Body: ""},
		"exact-1k.json": {Body: strings.Repeat("y", 1024)},
	})
	b := offlineBuilder(t)
	ctx := context.Background()

	found := []struct{ name, want string }{
		{"app.yml", appYML},
		{"./app.yml", appYML},
		{"Procfile", "web: bin/web\n"},
		{"config/a.yml", "a: 1\n"},
		{"empty.txt", ""},
		{"exact-1k.json", strings.Repeat("y", 1024)},
	}
	for _, tt := range found {
		got, err := b.ReadFile(ctx, bare, commit, tt.name, 1024)
		if err != nil || string(got) != tt.want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if got, err := b.ReadFile(ctx, bare, commit[:7], "app.yml", 1024); err != nil || string(got) != appYML {
		t.Errorf("ReadFile with an abbreviated commit = %q, %v", got, err)
	}

	short := commit[:7]
	failures := []struct {
		name string
		code string
		want string
	}{
		{"Procfile.dev", paas.ENOTFOUND, "commit " + short + " has no file Procfile.dev"},
		{"config/b.yml", paas.ENOTFOUND, "has no file config/b.yml"},
		{"app.yml/x", paas.ENOTFOUND, "has no file app.yml/x"},
		{"big.txt", paas.EINVALID, "big.txt in commit " + short + " is 2 KiB, more than the limit of 1 KiB"},
		{"link.yml", paas.EINVALID, "is a symlink"},
		{"dir", paas.EINVALID, "dir in commit " + short + " is not a file"},
		{"../etc/passwd", paas.EINVALID, "not a file inside the repository"},
		{"/etc/passwd", paas.EINVALID, "not a file inside the repository"},
		{".", paas.EINVALID, "not a file inside the repository"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.ReadFile(ctx, bare, commit, tt.name, 1024)
			checkUserError(t, err, tt.code, tt.want)
		})
	}
}

func TestReadFileBadCommit(t *testing.T) {
	bare, _ := newRepo(t, map[string]file{"app.yml": {Body: "x"}})
	b := offlineBuilder(t)
	_, err := b.ReadFile(context.Background(), bare, "0123456789abcdef0123456789abcdef01234567", "app.yml", 1024)
	checkUserError(t, err, paas.EINVALID, "not found in the app's repository")
	if _, err := b.ReadFile(context.Background(), bare, "main", "app.yml", 0); paas.ErrorCode(err) != paas.EINTERNAL {
		t.Errorf("ReadFile with a limit of 0 = %v; want an internal error", err)
	}
}
