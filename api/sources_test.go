package api

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

type oneApp struct{}

func (oneApp) GetApp(_ context.Context, name string) (*paas.App, error) {
	if name != "hello" {
		return nil, paas.Errorf(paas.ENOTFOUND, "app %q not found", name)
	}
	return &paas.App{Name: name}, nil
}
func (oneApp) ListApps(context.Context) ([]*paas.App, error) { return nil, nil }
func (oneApp) ListAppsPage(context.Context, string, int) ([]*paas.App, error) {
	return nil, nil
}

// dockerfileReader records the Dockerfile of the tree it is asked to deploy.
type dockerfileReader struct{ got string }

func (d *dockerfileReader) DeploySource(_ context.Context, _ string, _ *paas.User, dir string, out io.Writer) error {
	b, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	d.got = string(b)
	io.WriteString(out, "built\n")
	return err
}

func sourceArchive(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	body := "FROM paas/busybox:1.35\n"
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
	tw.Write([]byte(body))
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestSourceFromURL(t *testing.T) {
	archive := sourceArchive(t)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/ok.tar.gz", http.StatusFound)
			return
		}
		w.Write(archive)
	}))
	defer files.Close()
	dep := &dockerfileReader{}
	h := &sourceHandlers{apps: oneApp{}, deployer: dep, allow: []string{files.URL + "/ok"}, client: sourceFetchClient()}
	e := gin.New()
	e.Use(errorResponder(slog.New(slog.DiscardHandler)))
	e.POST("/v1/apps/:app/builds", func(c *gin.Context) { c.Set(userKey, &paas.User{Name: "ci"}); h.create(c) })
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/apps/hello/builds", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		return w
	}
	if w := post(`{"source_url":"` + files.URL + `/ok.tar.gz"}`); w.Code != 200 || !strings.Contains(dep.got, "FROM paas/busybox") || w.Header().Get("Paas-Result") != "ok" {
		t.Fatalf("allowed URL: %d %q, deployed Dockerfile %q", w.Code, w.Body, dep.got)
	}
	for name, body := range map[string]string{
		"not on the list":    `{"source_url":"` + files.URL + `/other.tar.gz"}`,
		"dot segments":       `{"source_url":"` + files.URL + `/ok/../secret"}`,
		"credentials":        `{"source_url":"http://u:p@` + strings.TrimPrefix(files.URL, "http://") + `/ok"}`,
		"not http":           `{"source_url":"file:///etc/passwd"}`,
		"unknown field":      `{"url":"x"}`,
		"redirect elsewhere": `{"source_url":"` + files.URL + `/ok/../redirect"}`,
	} {
		if w := post(body); w.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s; want 422", name, w.Code, w.Body)
		}
	}
}
