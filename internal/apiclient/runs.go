package apiclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// ExitCodeTrailer is the HTTP trailer in which the API sends the exit code
// of a one-off run after its output.
const ExitCodeTrailer = "Paas-Exit-Code"

// ErrLostConnection is returned by Runs.Create when the output ended
// without an exit code: the connection broke, or a proxy on the way
// dropped the trailer.
var ErrLostConnection = errors.New("lost the connection before the process finished")

// Runs calls the /v1/apps/{app}/runs route: one-off processes.
type Runs struct{ c *Client }

// Runs returns the handle for one-off runs.
func (c *Client) Runs() *Runs { return &Runs{c: c} }

// Create runs command once with the image and config of app's current
// release, copies its output to stdout as it arrives, and returns its exit
// code. The exit code is -1 when the platform could not run the command; the
// output then ends with the reason. No timeout applies: cancelling ctx
// ends the request, which stops the process. A run whose exit code never
// arrived returns an error wrapping ErrLostConnection.
func (r *Runs) Create(ctx context.Context, app string, command []string, stdout io.Writer) (int, error) {
	in := struct {
		Command []string `json:"command"`
	}{command}
	req, err := r.c.newRequest(ctx, http.MethodPost, in, "v1", "apps", app, "runs")
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := r.c.roundTrip(ctx, r.c.stream, req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if err := copyOutput(stdout, resp.Body); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, err
	}
	return exitCode(resp.Trailer.Get(ExitCodeTrailer))
}

// copyOutput copies the streamed output. io.Copy writes each chunk as soon
// as it is read, so output shows while the process runs.
func copyOutput(stdout io.Writer, body io.Reader) error {
	_, err := io.Copy(stdout, readErrorTagger{body})
	var re readError
	if errors.As(err, &re) {
		return fmt.Errorf("%w: %v", ErrLostConnection, re.err)
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// readErrorTagger marks errors of the body apart from errors of stdout,
// which io.Copy returns alike.
type readErrorTagger struct{ r io.Reader }

func (t readErrorTagger) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		err = readError{err}
	}
	return n, err
}

type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }

// exitCode parses the trailer's value.
func exitCode(raw string) (int, error) {
	if raw == "" {
		return 0, ErrLostConnection
	}
	code, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("the API sent the exit code %q, which is not a number", clip(raw))
	}
	return code, nil
}
