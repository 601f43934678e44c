package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gitpaas/paas"
)

// pageSize is how many builds, releases or activity entries a page shows.
const pageSize = 50

// Bounds of a followed build log.
const (
	heartbeatEvery = 15 * time.Second
	maxFollow      = time.Hour
)

func (c *Console) buildsPage(w http.ResponseWriter, r *request) {
	builds, err := c.svc.Builds.ListBuildsPage(r.Context(), r.app.Name, 0, pageSize)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	c.render(w, r.Request, http.StatusOK, "builds", c.page(w, r, "Builds of "+r.app.Name, "builds", map[string]any{
		"Builds": builds, "GitURL": c.opts.GitURL(r.app.Name)}))
}

func (c *Console) build(r *request) (*paas.Build, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, paas.Errorf(paas.EINVALID, "build id %q is not a number; pick a build from the list", clip(r.PathValue("id"), 20))
	}
	return c.svc.Builds.GetBuild(r.Context(), r.app.Name, id)
}

func (c *Console) buildPage(w http.ResponseWriter, r *request) {
	b, err := c.build(r)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	log, err := c.svc.Builds.BuildLog(r.Context(), r.app.Name, b.ID)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	c.render(w, r.Request, http.StatusOK, "build", c.page(w, r, fmt.Sprintf("Build %d of %s", b.ID, r.app.Name), "builds", map[string]any{
		"Build": b, "Log": string(log), "Offset": len(log), "Live": !b.Status.Done()}))
}

// buildLogStream follows a build's log as server-sent events: "log" events
// carry new output (a JSON string; the event id is the byte offset after
// it, so a reconnecting browser resumes where it was), "status" the
// build's state when it changes, and "done" ends the stream when the build
// has finished and all of its log was sent.
func (c *Console) buildLogStream(w http.ResponseWriter, r *request) {
	b, err := c.build(r)
	if err != nil {
		c.fail(w, r.Request, r, err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		c.fail(w, r.Request, r, fmt.Errorf("response writer cannot stream"))
		return
	}
	offset := streamOffset(r)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &logStream{w: w, flush: flusher.Flush, offset: offset}
	c.followBuild(r, b, s)
}

func streamOffset(r *request) int {
	from := r.Header.Get("Last-Event-ID")
	if from == "" {
		from = r.URL.Query().Get("from")
	}
	n, err := strconv.Atoi(from)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// followBuild polls the stored log: the pipeline appends a running build's
// output at least twice a second.
func (c *Console) followBuild(r *request, b *paas.Build, s *logStream) {
	tick := time.NewTicker(c.opts.LogPoll)
	defer tick.Stop()
	deadline := time.After(maxFollow)
	lastBeat := time.Now()
	status := paas.BuildStatus("")
	for {
		log, err := c.svc.Builds.BuildLog(r.Context(), r.app.Name, b.ID)
		if err != nil {
			return
		}
		s.log(log)
		if b.Status != status {
			status = b.Status
			s.event("status", map[string]any{"status": b.Status, "error": b.Error, "release": b.Release})
		}
		if b.Status.Done() {
			s.event("done", map[string]any{"status": b.Status})
			return
		}
		if time.Since(lastBeat) > heartbeatEvery {
			s.comment("keep-alive")
			lastBeat = time.Now()
		}
		s.flush()
		select {
		case <-r.Context().Done():
			return
		case <-c.closing:
			return
		case <-deadline:
			return
		case <-tick.C:
		}
		if b, err = c.svc.Builds.GetBuild(r.Context(), r.app.Name, b.ID); err != nil {
			return
		}
	}
}

// logStream writes server-sent events.
type logStream struct {
	w      http.ResponseWriter
	flush  func()
	offset int
}

// log sends what of log is past the offset already sent.
func (s *logStream) log(log []byte) {
	if len(log) <= s.offset {
		return
	}
	chunk, _ := json.Marshal(string(log[s.offset:]))
	s.offset = len(log)
	fmt.Fprintf(s.w, "id: %d\nevent: log\ndata: %s\n\n", s.offset, chunk)
}

func (s *logStream) event(name string, data any) {
	raw, _ := json.Marshal(data)
	fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", name, raw)
	s.flush()
}

func (s *logStream) comment(text string) { fmt.Fprintf(s.w, ": %s\n\n", text) }
