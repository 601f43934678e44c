package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gitpaas/paas"
)

// Audit returns the audit log, newest first: all of it for platform
// admins, else the entries of the apps the caller owns. app, when not
// empty, keeps that app's entries; limit, when positive, bounds them.
func (c *Client) Audit(ctx context.Context, app string, limit int) ([]paas.AuditEntry, error) {
	req, err := c.newRequest(ctx, http.MethodGet, nil, "v1", "audit")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if app != "" {
		q.Set("app", app)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	req.URL.RawQuery = q.Encode()
	resp, err := c.roundTrip(ctx, c.http, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var entries []paas.AuditEntry
	if err := json.NewDecoder(resp.Body).Decode(&entries); err != nil {
		return nil, fmt.Errorf("decode answer to GET /v1/audit: %w", err)
	}
	return nonNil(entries), nil
}
