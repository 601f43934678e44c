package apiclient

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// ResultTrailer is the HTTP trailer in which the API sends the outcome of a
// source deploy after its output: ok or failed.
const ResultTrailer = "Paas-Result"

// ErrDeployFailed is returned by Builds.CreateFromSource when the build or
// the release failed; the output says why.
var ErrDeployFailed = errors.New("the deploy failed; see the output above")

// CreateFromSource uploads a tar.gz of an app's source, which the platform
// builds and releases as a push to main; the output is copied to out as it
// comes. No timeout applies; cancelling ctx abandons the deploy.
func (b *Builds) CreateFromSource(ctx context.Context, app string, archive io.Reader, out io.Writer) error {
	req, err := b.c.newRequest(ctx, http.MethodPost, nil, "v1", "apps", app, "builds")
	if err != nil {
		return err
	}
	req.Body = io.NopCloser(archive)
	req.Header.Set("Content-Type", "application/gzip")
	req.Header.Set("Accept", "text/plain")
	resp, err := b.c.roundTrip(ctx, b.c.stream, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := copyOutput(out, resp.Body); err != nil {
		return err
	}
	switch resp.Trailer.Get(ResultTrailer) {
	case "ok":
		return nil
	case "failed":
		return ErrDeployFailed
	}
	return ErrLostConnection
}
