package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

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
	if ct := c.ContentType(); !acceptedArchive(ct) {
		c.Error(paas.Errorf(paas.EINVALID, "send the source as a tar or tar.gz body (Content-Type application/gzip or application/x-tar), not %q; the CLI does it: paas builds:create --source DIR", clip(ct)))
		return
	}
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
	body := http.MaxBytesReader(c.Writer, c.Request.Body, MaxSourceBytes)
	if err := tarball.Extract(body, src, tarball.DefaultLimits); err != nil {
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
