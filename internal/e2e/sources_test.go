package e2e

import (
	"archive/tar"
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestSourceDeploy deploys a directory without git, as CI would, and checks
// that a malicious archive is refused with nothing built.
func TestSourceDeploy(t *testing.T) {
	s := newTestStack(t)
	login(t, s)
	dir := filepath.Join(t.TempDir(), "src")
	copyDir(t, "../../testdata/apps/hello-dockerfile", dir)
	writeFile(t, filepath.Join(dir, "www", "index.html"), "deployed from a tarball\n")
	s.mustPaas("", "apps:create", "src")

	out := s.mustPaas("", "builds:create", "-a", "src", "--source", dir)
	if !strings.Contains(out, "Released v1") {
		t.Fatalf("builds:create output:\n%s", out)
	}
	serves(t, s, "src", "deployed from a tarball")
	if refs := s.mustGit("", "ls-remote", s.apiURL()+"/git/src.git"); !strings.Contains(refs, "refs/heads/main") {
		t.Errorf("main was not published after the release: %q", refs)
	}

	var evil bytes.Buffer
	tw := tar.NewWriter(&evil)
	tw.WriteHeader(&tar.Header{Name: "../../escape", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644})
	tw.Write([]byte("x"))
	tw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.apiURL()+"/v1/apps/src/builds", &evil)
	req.Header.Set("Authorization", "Bearer "+s.adminToken())
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("archive with ../ = %s; want 422", resp.Status)
	}
	if out := s.mustPaas("", "builds", "-a", "src", "--json"); strings.Count(out, `"id"`) != 1 {
		t.Errorf("the refused archive made a build: %s", out)
	}
}
