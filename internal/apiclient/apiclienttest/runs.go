package apiclienttest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gitpaas/paas"
)

// exitCodeTrailer carries a one-off run's exit code after its output.
const exitCodeTrailer = "Paas-Exit-Code"

// RunFunc runs command for POST /v1/apps/{app}/runs of the fake. Each
// write to out reaches the client at once. It returns the exit code; an
// error is reported in the output with exit code -1, as the real API does.
// ctx ends when the client goes away. To drop the connection before the
// exit code is sent, panic with http.ErrAbortHandler.
type RunFunc func(ctx context.Context, command []string, out io.Writer) (int, error)

// run streams a one-off run's output and then its exit code in a trailer,
// as the real API does; errors found once the output started (no release,
// no command) are written to the output.
func (s *Server) run(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Command []string `json:"command"`
	}
	s.mu.Lock()
	a, ok := s.findApp(w, r)
	_, released := s.currentRelease(a)
	runner := s.runner
	s.mu.Unlock()
	if !ok || !decodeBody(w, r, &in) {
		return
	}
	w.Header().Set("Trailer", exitCodeTrailer)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	out := &flushWriter{w: w, f: w.(http.Flusher)}
	code, err := 0, checkRun(a.Name, released, in.Command)
	if err == nil {
		code, err = runOrEcho(runner)(r.Context(), in.Command, out)
	}
	if err != nil {
		fmt.Fprintf(w, "\n !    %s\n", paas.ErrorMessage(err))
		code = -1
	}
	w.Header().Set(exitCodeTrailer, strconv.Itoa(code))
}

// checkRun refuses what the pipeline refuses.
func checkRun(app string, released bool, command []string) error {
	if len(command) == 0 {
		return paas.Errorf(paas.EINVALID, "give a command to run, e.g. paas run -a %s -- ls -l", app)
	}
	if !released {
		return noRelease(app)
	}
	return nil
}

// runOrEcho returns f, or by default a runner that prints the command.
func runOrEcho(f RunFunc) RunFunc {
	if f != nil {
		return f
	}
	return func(_ context.Context, command []string, out io.Writer) (int, error) {
		_, err := fmt.Fprintln(out, strings.Join(command, " "))
		return 0, err
	}
}

// flushWriter sends each write to the client at once.
type flushWriter struct {
	w io.Writer
	f http.Flusher
}

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	f.f.Flush()
	return n, err
}
