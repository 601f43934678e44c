package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient/apiclienttest"
)

// watchWriter is a stdout that closes seen once the output holds want.
type watchWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func newWatchWriter(want string) *watchWriter {
	return &watchWriter{want: want, seen: make(chan struct{})}
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) && !isClosed(w.seen) {
		close(w.seen)
	}
	return n, err
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestRunStreams checks that the first chunk of output reaches stdout
// while the process still runs, before the second is sent.
func TestRunStreams(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	stdout := newWatchWriter("first chunk\n")
	inTime := make(chan bool, 1)
	h.api.HandleRuns(func(ctx context.Context, _ []string, out io.Writer) (int, error) {
		fmt.Fprint(out, "first chunk\n")
		select {
		case <-stdout.seen:
			inTime <- true
		case <-time.After(10 * time.Second):
			inTime <- false
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		time.Sleep(50 * time.Millisecond)
		fmt.Fprint(out, "second chunk\n")
		return 0, nil
	})
	var stderr bytes.Buffer
	code := h.runIO(context.Background(), strings.NewReader(""), stdout, &stderr, "run", "-a", "hello", "--", "sh", "-c", "echo hi")
	if code != ExitOK {
		t.Fatalf("exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	if !<-inTime {
		t.Error("the first chunk did not reach stdout before the second was sent")
	}
	if got := stdout.String(); got != "first chunk\nsecond chunk\n" {
		t.Errorf("stdout = %q", got)
	}
	if got := stderr.String(); got != "Running sh -c 'echo hi' on hello...\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestRunExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		run      apiclienttest.RunFunc
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{
			name: "zero", wantCode: 0, wantOut: "ok\n",
			run: printAndExit("ok\n", 0),
		},
		{
			name: "three", wantCode: 3, wantOut: "failing\n",
			run: printAndExit("failing\n", 3),
		},
		{
			name: "above 255", wantCode: ExitError,
			run: printAndExit("", 256),
		},
		{
			name: "platform error", wantCode: ExitError, wantOut: "\n !    no capacity left; try again later\n",
			run: func(context.Context, []string, io.Writer) (int, error) {
				return 0, paas.Errorf(paas.EUNAVAILABLE, "no capacity left; try again later")
			},
		},
		{
			name: "missing trailer", wantCode: ExitError, wantOut: "partial\n", wantErr: "lost the connection before the process finished",
			run: func(_ context.Context, _ []string, out io.Writer) (int, error) {
				fmt.Fprintln(out, "partial")
				panic(http.ErrAbortHandler)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := releasedHarness(t)
			h.api.HandleRuns(tt.run)
			r := h.run("", "run", "-a", "hello", "--", "task")
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if r.stdout != tt.wantOut {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.wantOut)
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
			} else if strings.Contains(r.stderr, " !    ") {
				t.Errorf("stderr has an error: %s", r.stderr)
			}
		})
	}
}

// printAndExit runs a process that prints out and exits with code.
func printAndExit(out string, code int) apiclienttest.RunFunc {
	return func(_ context.Context, _ []string, w io.Writer) (int, error) {
		_, err := io.WriteString(w, out)
		return code, err
	}
}

func TestRunArgs(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantBody string
		wantErr  string
	}{
		{name: "after --", args: []string{"run", "-a", "hello", "--", "ls", "-l"}, wantBody: `{"command":["ls","-l"]}`},
		{name: "flags after -- are the command's", args: []string{"run", "-a", "hello", "--", "ls", "-a", "--json", "--verbose"}, wantBody: `{"command":["ls","-a","--json","--verbose"]}`},
		{name: "without --", args: []string{"run", "--app", "hello", "ls", "-l", "-a", "x"}, wantBody: `{"command":["ls","-l","-a","x"]}`},
		{name: "-- after the command is kept", args: []string{"run", "-a", "hello", "echo", "--", "-n"}, wantBody: `{"command":["echo","--","-n"]}`},
		{name: "help flag after the command", args: []string{"run", "-a", "hello", "--", "git", "--help"}, wantBody: `{"command":["git","--help"]}`},
		{name: "no command", args: []string{"run", "-a", "hello"}, wantCode: ExitUsage, wantErr: "missing command; usage: paas run -a APP -- COMMAND [ARGS...]"},
		{name: "nothing after --", args: []string{"run", "-a", "hello", "--"}, wantCode: ExitUsage, wantErr: "missing command"},
		{name: "unknown flag before the command", args: []string{"run", "--bogus", "--", "ls"}, wantCode: ExitUsage, wantErr: "unknown flag: --bogus"},
		{name: "unknown app", args: []string{"run", "-a", "nope", "--", "ls"}, wantCode: ExitError, wantErr: `app "nope" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.run("", tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.wantCode, r.output())
			}
			if tt.wantErr != "" {
				wantError(t, r.stderr, tt.wantErr)
				return
			}
			if body, _ := h.lastBody("POST", "/v1/apps/hello/runs"); body != tt.wantBody {
				t.Errorf("body = %s, want %s", body, tt.wantBody)
			}
		})
	}
}

func TestRunWithoutRelease(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.login()
	h.api.AddApp("hello")
	r := h.run("", "run", "-a", "hello", "--", "ls")
	if r.code != ExitError || !strings.Contains(r.stdout, " !    app hello has no release yet; deploy it first") {
		t.Errorf("exit %d: %s", r.code, r.output())
	}
}

// TestRunInterrupted checks that Ctrl-C, which cancels the context,
// stops the process on the platform.
func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	h := releasedHarness(t)
	stopped := make(chan struct{})
	h.api.HandleRuns(func(ctx context.Context, _ []string, out io.Writer) (int, error) {
		fmt.Fprintln(out, "started")
		<-ctx.Done()
		close(stopped)
		return 0, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := newWatchWriter("started\n")
	go func() {
		<-stdout.seen
		cancel()
	}()
	var stderr bytes.Buffer
	code := h.runIO(ctx, strings.NewReader(""), stdout, &stderr, "run", "-a", "hello", "--", "sleep", "infinity")
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	wantError(t, stderr.String(), "interrupted")
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Error("the process on the platform was not stopped")
	}
}
