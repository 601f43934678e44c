package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// Releaser changes what runs: config vars, formation, rollbacks, restarts
// and one-off processes. Progress goes to out.
type Releaser interface {
	SetConfig(ctx context.Context, app string, user *paas.User, changes map[string]*string, out io.Writer) (*paas.Release, map[string]string, error)
	Rollback(ctx context.Context, app string, user *paas.User, version int, out io.Writer) (*paas.Release, error)
	Scale(ctx context.Context, app string, user *paas.User, counts map[string]int, out io.Writer) (*paas.Release, error)
	Restart(ctx context.Context, app, process string) error
	Processes(ctx context.Context, app string) ([]paas.ProcessState, error)
	Run(ctx context.Context, app string, command []string, out io.Writer) (int, error)
}

// ConfigReader reads an app's current config vars.
type ConfigReader interface {
	GetConfig(ctx context.Context, app string) (map[string]string, error)
}

// FormationReader returns the formation an app runs: its current
// release's, with the counts the autoscaler has since given it.
type FormationReader interface {
	Formation(ctx context.Context, app string) ([]paas.Process, error)
}

type lifecycleHandlers struct {
	apps       AppStore
	config     ConfigReader
	releases   ReleaseStore
	releaser   Releaser
	formations FormationReader // may be nil
}

// configChangeResult answers a config change: the release it made (none
// before the first deploy) and the names of the config vars now set.
type configChangeResult struct {
	Release    *paas.Release `json:"release"`
	ConfigKeys []string      `json:"config_keys"`
}

func (h *lifecycleHandlers) getConfig(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	cfg, err := h.config.GetConfig(c.Request.Context(), app.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, cfg)
}

func (h *lifecycleHandlers) patchConfig(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var changes map[string]*string
	if err := decodeJSON(c, &changes, `{"GREETING":"hello","OLD_KEY":null}`); err != nil {
		c.Error(err)
		return
	}
	r, cfg, err := h.releaser.SetConfig(c.Request.Context(), app.Name, currentUser(c), changes, io.Discard)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, configChangeResult{Release: r, ConfigKeys: sortedKeys(cfg)})
}

type rollbackRequest struct {
	Version int `json:"version"`
}

func (h *lifecycleHandlers) rollback(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req rollbackRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req, `{"version":3}`); err != nil {
			c.Error(err)
			return
		}
	}
	r, err := h.releaser.Rollback(c.Request.Context(), app.Name, currentUser(c), req.Version, io.Discard)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

func (h *lifecycleHandlers) getFormation(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	if app.Release == 0 {
		c.JSON(http.StatusOK, []paas.Process{})
		return
	}
	f, err := h.formation(c.Request.Context(), app)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(f))
}

// formation is what app runs: with the autoscaler's counts when a
// FormationReader is set, else as its current release recorded it.
func (h *lifecycleHandlers) formation(ctx context.Context, app *paas.App) ([]paas.Process, error) {
	if h.formations != nil {
		return h.formations.Formation(ctx, app.Name)
	}
	r, err := h.releases.GetRelease(ctx, app.Name, app.Release)
	if err != nil {
		return nil, err
	}
	return r.Spec.Formation, nil
}

func (h *lifecycleHandlers) scale(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var counts map[string]int
	if err := decodeJSON(c, &counts, `{"web":2,"worker":1}`); err != nil {
		c.Error(err)
		return
	}
	r, err := h.releaser.Scale(c.Request.Context(), app.Name, currentUser(c), counts, io.Discard)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (h *lifecycleHandlers) ps(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	ps, err := h.releaser.Processes(c.Request.Context(), app.Name)
	if err != nil {
		c.Error(err)
		return
	}
	c.JSON(http.StatusOK, nonNil(ps))
}

type restartRequest struct {
	Type string `json:"type"`
}

func (h *lifecycleHandlers) restart(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req restartRequest
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req, `{"type":"web"}`); err != nil {
			c.Error(err)
			return
		}
	}
	if err := h.releaser.Restart(c.Request.Context(), app.Name, req.Type); err != nil {
		c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}

type runRequest struct {
	Command []string `json:"command"`
}

// exitCodeTrailer carries a one-off run's exit code after its output.
const exitCodeTrailer = "Paas-Exit-Code"

// run streams a one-off process's output as the response body, then its
// exit code in a trailer. A client that goes away stops the process.
func (h *lifecycleHandlers) run(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	var req runRequest
	if err := decodeJSON(c, &req, `{"command":["ls","-l"]}`); err != nil {
		c.Error(err)
		return
	}
	// Refuse what cannot run while a proper status can still be sent.
	if len(req.Command) == 0 {
		c.Error(paas.Errorf(paas.EINVALID, "the command is empty; send {\"command\":[\"ls\",\"-l\"]}"))
		return
	}
	if app.Release == 0 {
		c.Error(paas.Errorf(paas.EINVALID, "app %s has no release yet; deploy it first with: git push paas main", app.Name))
		return
	}
	w := c.Writer
	w.Header().Set("Trailer", exitCodeTrailer)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	code, err := h.releaser.Run(c.Request.Context(), app.Name, req.Command, &flushingWriter{w: w})
	if err != nil {
		fmt.Fprintf(w, "\n !    %s\n", paas.ErrorMessage(err))
		code = -1
	}
	w.Header().Set(exitCodeTrailer, strconv.Itoa(code))
}

// flushingWriter sends each write to the client at once.
type flushingWriter struct{ w gin.ResponseWriter }

func (f *flushingWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	f.w.Flush()
	return n, err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
