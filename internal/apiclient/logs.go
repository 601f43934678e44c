package apiclient

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// LogOptions select the lines of Logs.
type LogOptions struct {
	Num     int    // recent lines of each stream; 0 for the server's default
	Process string // one process type, or "" for all
	Tail    bool   // keep streaming new lines
}

// Logs copies app's log to out until it ends or, with Tail, until ctx
// ends. No timeout applies.
func (c *Client) Logs(ctx context.Context, app string, o LogOptions, out io.Writer) error {
	req, err := c.newRequest(ctx, http.MethodGet, nil, "v1", "apps", app, "logs")
	if err != nil {
		return err
	}
	q := url.Values{}
	if o.Num > 0 {
		q.Set("num", strconv.Itoa(o.Num))
	}
	if o.Process != "" {
		q.Set("process", o.Process)
	}
	if o.Tail {
		q.Set("tail", "true")
	}
	req.URL.RawQuery = q.Encode()
	req.Header.Set("Accept", "text/plain")
	resp, err := c.roundTrip(ctx, c.stream, req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	err = copyOutput(out, resp.Body)
	if ctx.Err() != nil {
		return nil // the user stopped following
	}
	return err
}
