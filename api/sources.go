package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/tarball"
)

// MaxSourceBytes bounds an uploaded source archive.
const MaxSourceBytes = 256 << 20

// SourceDeployer builds and releases an unpacked source tree as a push to
// main would.
type SourceDeployer interface {
	DeploySource(ctx context.Context, app string, user *paas.User, dir string, out io.Writer) error
}

// resultTrailer carries a streamed build's outcome after its output.
const resultTrailer = "Paas-Result"

type sourceHandlers struct {
	apps     AppStore
	deployer SourceDeployer
	// allow lists the URL prefixes a source may be fetched from.
	allow  []string
	client *http.Client
}

// sourceURLRequest asks the platform to fetch the archive itself.
type sourceURLRequest struct {
	SourceURL string `json:"source_url"`
}

// archive returns the source archive: the request body, or with a JSON
// body {"source_url": …}, the archive fetched from an allowed URL.
func (h *sourceHandlers) archive(c *gin.Context) (io.ReadCloser, error) {
	ct := c.ContentType()
	if acceptedArchive(ct) {
		return http.MaxBytesReader(c.Writer, c.Request.Body, MaxSourceBytes), nil
	}
	if ct != "application/json" {
		return nil, paas.Errorf(paas.EINVALID, "send the source as a tar or tar.gz body (Content-Type application/gzip or application/x-tar), or JSON {\"source_url\": …}, not %q; the CLI does it: paas builds:create --source DIR", clip(ct))
	}
	var req sourceURLRequest
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 1<<16)
	if err := decodeJSON(c, &req, `{"source_url":"https://ci.example.com/artifacts/app.tar.gz"}`); err != nil {
		return nil, err
	}
	if !allowedSourceURL(req.SourceURL, h.allow) {
		return nil, paas.Errorf(paas.EINVALID, "source URL %q is not on this platform's allow-list; an admin can add its prefix with paasd --source-url-allow", clip(req.SourceURL))
	}
	return h.fetch(c.Request.Context(), req.SourceURL)
}

func (h *sourceHandlers) fetch(ctx context.Context, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, paas.Errorf(paas.EINVALID, "source URL %q is not valid", clip(url))
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, paas.Errorf(paas.EUNAVAILABLE, "could not fetch the source: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, paas.Errorf(paas.EINVALID, "fetching the source answered %s; it must answer 200 with a tar or tar.gz", resp.Status)
	}
	return resp.Body, nil
}

// allowedSourceURL reports whether raw starts with one of the allowed
// prefixes and is http(s) without credentials or dot segments.
func allowedSourceURL(raw string, allow []string) bool {
	if raw == "" || len(raw) > 2048 || strings.Contains(raw, "..") || strings.Contains(raw, "@") {
		return false
	}
	if !strings.HasPrefix(raw, "https://") && !strings.HasPrefix(raw, "http://") {
		return false
	}
	for _, p := range allow {
		if p != "" && strings.HasPrefix(raw, p) {
			return true
		}
	}
	return false
}

// sourceFetchClient follows no redirects: a redirect could leave the
// allow-list.
func sourceFetchClient() *http.Client {
	return &http.Client{Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// create deploys a source archive (tar or tar.gz) sent as the body. The
// build and rollout output streams back as on a git push; the outcome
// follows in the Paas-Result trailer (ok or failed).
func (h *sourceHandlers) create(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	archive, err := h.archive(c)
	if err != nil {
		c.Error(err)
		return
	}
	defer archive.Close()
	dir, err := os.MkdirTemp("", "paas-source-")
	if err != nil {
		c.Error(err)
		return
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		c.Error(err)
		return
	}
	if err := tarball.Extract(io.LimitReader(archive, MaxSourceBytes+1), src, tarball.DefaultLimits); err != nil {
		c.Error(err)
		return
	}
	h.stream(c, app.Name, src)
}

func (h *sourceHandlers) stream(c *gin.Context, app, src string) {
	w := c.Writer
	w.Header().Set("Trailer", resultTrailer)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	out := &flushingWriter{w: w}
	if err := h.deployer.DeploySource(c.Request.Context(), app, currentUser(c), src, out); err != nil {
		fmt.Fprintf(out, "\n !     %s\n", strings.ReplaceAll(paas.ErrorMessage(err), "\n", "\n !     "))
		w.Header().Set(resultTrailer, "failed")
		return
	}
	w.Header().Set(resultTrailer, "ok")
}

func acceptedArchive(ct string) bool {
	switch ct {
	case "application/gzip", "application/x-gzip", "application/x-tar", "application/octet-stream":
		return true
	}
	return false
}
