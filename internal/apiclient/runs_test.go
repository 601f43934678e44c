package apiclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/gitpaas/paas/internal/apiclient/apiclienttest"
	"github.com/google/go-cmp/cmp"
)

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		run      func(ctx context.Context, command []string, out io.Writer) (int, error)
		command  []string
		wantCode int
		wantOut  string
		wantErr  error
	}{
		{
			name: "success", command: []string{"echo", "hi there"}, wantOut: "echo hi there\n",
		},
		{
			name: "exit 3", command: []string{"false"}, wantCode: 3, wantOut: "failing\n",
			run: func(_ context.Context, _ []string, out io.Writer) (int, error) {
				fmt.Fprintln(out, "failing")
				return 3, nil
			},
		},
		{
			name: "platform error", command: []string{"x"}, wantCode: -1, wantOut: "\n !    no capacity\n",
			run: func(context.Context, []string, io.Writer) (int, error) {
				return 0, paas.Errorf(paas.EUNAVAILABLE, "no capacity")
			},
		},
		{
			name: "dropped connection", command: []string{"x"}, wantOut: "partial\n", wantErr: apiclient.ErrLostConnection,
			run: func(_ context.Context, _ []string, out io.Writer) (int, error) {
				fmt.Fprintln(out, "partial")
				panic(http.ErrAbortHandler)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, api := newClient(t)
			releasedApp(t, api)
			api.HandleRuns(tt.run)
			var out bytes.Buffer
			code, err := c.Runs().Create(context.Background(), "hello", tt.command, &out)
			if !errors.Is(err, tt.wantErr) || code != tt.wantCode {
				t.Errorf("Create() = %d, %v; want %d, %v", code, err, tt.wantCode, tt.wantErr)
			}
			if out.String() != tt.wantOut {
				t.Errorf("output = %q, want %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestRunRequest(t *testing.T) {
	c, api := newClient(t)
	releasedApp(t, api)
	if _, err := c.Runs().Create(context.Background(), "hello", []string{"ls", "-l"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	reqs := api.Requests()
	got := reqs[len(reqs)-1]
	if got.Method != "POST" || got.Path != "/v1/apps/hello/runs" || got.Body != `{"command":["ls","-l"]}` {
		t.Errorf("request = %+v", got)
	}
	_, err := c.Runs().Create(context.Background(), "nope", []string{"ls"}, io.Discard)
	wantCode(t, err, paas.ENOTFOUND, `app "nope" not found`)
}

func TestRunTrailer(t *testing.T) {
	tests := []struct {
		name     string
		trailer  string // "" sends none
		wantCode int
		wantErr  string
	}{
		{name: "zero", trailer: "0"},
		{name: "nonzero", trailer: "42", wantCode: 42},
		{name: "missing", wantErr: "lost the connection before the process finished"},
		{name: "garbage", trailer: "oops", wantErr: `the API sent the exit code "oops", which is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientFor(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.trailer != "" {
					w.Header().Set("Trailer", apiclient.ExitCodeTrailer)
				}
				fmt.Fprint(w, "out\n")
				if tt.trailer != "" {
					w.Header().Set(apiclient.ExitCodeTrailer, tt.trailer)
				}
			}, apiclient.Config{})
			var out bytes.Buffer
			code, err := c.Runs().Create(context.Background(), "hello", []string{"x"}, &out)
			if code != tt.wantCode || (err == nil) != (tt.wantErr == "") || err != nil && err.Error() != tt.wantErr {
				t.Errorf("Create() = %d, %v; want %d, %q", code, err, tt.wantCode, tt.wantErr)
			}
			if out.String() != "out\n" {
				t.Errorf("output = %q", out.String())
			}
		})
	}
}

// chunkWriter reports each write on a channel.
type chunkWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes chan string
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes <- string(p)
	return w.buf.Write(p)
}

// TestRunStreams checks that output reaches the writer while the process
// still runs, and that the overall timeout does not apply to runs.
func TestRunStreams(t *testing.T) {
	api, c := streamFixture(t, apiclient.Config{Timeout: 100 * time.Millisecond})
	release := make(chan struct{})
	api.HandleRuns(func(ctx context.Context, _ []string, out io.Writer) (int, error) {
		fmt.Fprint(out, "first\n")
		select {
		case <-release:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		time.Sleep(150 * time.Millisecond) // past Config.Timeout
		fmt.Fprint(out, "second\n")
		return 0, nil
	})
	w := &chunkWriter{writes: make(chan string, 10)}
	done := make(chan error, 1)
	go func() {
		_, err := c.Runs().Create(context.Background(), "hello", []string{"x"}, w)
		done <- err
	}()
	select {
	case got := <-w.writes:
		if got != "first\n" {
			t.Errorf("first write = %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first chunk did not arrive while the process ran")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("first\nsecond\n", w.buf.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestRunCanceled(t *testing.T) {
	api, c := streamFixture(t, apiclient.Config{})
	stopped := make(chan struct{})
	api.HandleRuns(func(ctx context.Context, _ []string, out io.Writer) (int, error) {
		fmt.Fprint(out, "started\n")
		<-ctx.Done()
		close(stopped)
		return 0, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	w := &chunkWriter{writes: make(chan string, 10)}
	done := make(chan error, 1)
	go func() {
		_, err := c.Runs().Create(ctx, "hello", []string{"sleep", "inf"}, w)
		done <- err
	}()
	<-w.writes
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Create() error = %v, want context.Canceled", err)
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Error("the server-side run was not stopped")
	}
}

// streamFixture returns the fake API with app hello released and a client
// of it made with cfg.
func streamFixture(t *testing.T, cfg apiclient.Config) (*apiclienttest.Server, *apiclient.Client) {
	t.Helper()
	_, api := newClient(t)
	releasedApp(t, api)
	cfg.Address, cfg.Token = api.URL, testToken
	c, err := apiclient.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return api, c
}

func TestRunOutputWriteError(t *testing.T) {
	c, api := newClient(t)
	releasedApp(t, api)
	_, err := c.Runs().Create(context.Background(), "hello", []string{"x"}, failingWriter{})
	if err == nil || errors.Is(err, apiclient.ErrLostConnection) || !strings.Contains(err.Error(), "write output: disk full") {
		t.Errorf("Create() error = %v, want a write error", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
