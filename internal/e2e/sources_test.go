package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitpaas/paas/internal/webhooks"
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
	hooks := make(chan *http.Request, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		hooks <- r
	}))
	defer recv.Close()
	out := s.mustPaas("", "webhooks:add", recv.URL+"/hook", "-a", "src", "--events", "release.succeeded")
	secret := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])

	out = s.mustPaas("", "builds:create", "-a", "src", "--source", dir)
	if !strings.Contains(out, "Released v1") {
		t.Fatalf("builds:create output:\n%s", out)
	}
	serves(t, s, "src", "deployed from a tarball")
	select {
	case r := <-hooks:
		body, _ := io.ReadAll(r.Body)
		ts, v1, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Paas-Signature"), "t="), ",v1=")
		if v1 != webhooks.Sign(secret, ts, body) || !strings.Contains(string(body), `"release.succeeded"`) {
			t.Errorf("webhook delivery %q with signature %q does not verify", body, r.Header.Get("Paas-Signature"))
		}
	case <-time.After(20 * time.Second):
		t.Error("no webhook delivery for the release")
	}
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
