package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// maxLogLines bounds ?num= of the logs route.
const maxLogLines = 1500

// AppLogs reads the output of an app's processes.
type AppLogs interface {
	Logs(ctx context.Context, app string, q paas.LogQuery, fn func(paas.LogLine)) error
}

// PlatformLog holds the platform's own lines of each app's log.
type PlatformLog interface {
	Recent(app string, n int) []paas.LogLine
	Follow(ctx context.Context, app string) <-chan paas.LogLine
}

type logHandlers struct {
	apps     AppStore
	logs     AppLogs
	platform PlatformLog
}

// show streams an app's log as text: the platform's recent lines, the
// recent output of each process, then with ?tail=true new lines of both as
// they come, until the client hangs up.
func (h *logHandlers) show(c *gin.Context) {
	app, err := findApp(c, h.apps)
	if err != nil {
		c.Error(err)
		return
	}
	q, err := logQuery(c)
	if err != nil {
		c.Error(err)
		return
	}
	c.Writer.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.Writer.Header().Set("X-Content-Type-Options", "nosniff")
	c.Writer.WriteHeader(http.StatusOK)
	out := &lineWriter{w: &flushingWriter{w: c.Writer}}
	ctx := c.Request.Context()
	if q.Process == "" {
		for _, l := range h.platform.Recent(app.Name, q.Lines) {
			out.write(l)
		}
	}
	if q.Follow && q.Process == "" {
		go func() {
			for l := range h.platform.Follow(ctx, app.Name) {
				out.write(l)
			}
		}()
	}
	if err := h.logs.Logs(ctx, app.Name, q, out.write); err != nil && ctx.Err() == nil {
		out.write(paas.LogLine{Source: "paas", Text: "could not read the processes' output: " + paas.ErrorMessage(err)})
	}
	if q.Follow {
		<-ctx.Done()
	}
}

func logQuery(c *gin.Context) (paas.LogQuery, error) {
	q := paas.LogQuery{Lines: 100, Process: c.Query("process"), Follow: c.Query("tail") == "true"}
	if raw := c.Query("num"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > maxLogLines {
			return q, paas.Errorf(paas.EINVALID, "num %q must be a number from 0 to %d", clip(raw), maxLogLines)
		}
		q.Lines = n
	}
	if q.Process != "" {
		if err := paas.ValidateAppName(q.Process); err != nil {
			return q, paas.Errorf(paas.EINVALID, "process %q is not a process type such as web or worker", clip(q.Process))
		}
	}
	return q, nil
}

// lineWriter writes log lines Heroku style, one writer at a time:
// "2026-11-21T10:00:00.000Z app[web.1]: text".
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) write(line paas.LogLine) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s app[%s]: %s\n", line.Time.UTC().Format("2006-01-02T15:04:05.000Z"), line.Source, line.Text)
}
