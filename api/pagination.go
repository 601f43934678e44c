package api

import (
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/gitpaas/paas"
)

// Listings are paginated with ?limit=N and a cursor (?before= for builds and
// releases, ?after= for apps). When more items follow, the response carries
// a Link header with rel="next" and the cursor in Next-Cursor.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// pageSize reads ?limit=.
func pageSize(c *gin.Context) (int, error) {
	raw := c.Query("limit")
	if raw == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, paas.Errorf(paas.EINVALID, "limit %q must be a number from 1 to %d", clip(raw), maxPageSize)
	}
	return n, nil
}

// intCursor reads a numeric cursor parameter; 0 means none.
func intCursor(c *gin.Context, name string) (int64, error) {
	raw := c.Query(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 1 {
		return 0, paas.Errorf(paas.EINVALID, "%s %q must be a positive number taken from a Next-Cursor header", name, clip(raw))
	}
	return n, nil
}

// trimPage cuts a list fetched with one extra item to size and, when the
// extra item was there, links the next page at the cursor of the last kept
// item.
func trimPage[T any](c *gin.Context, items []T, size int, param string, cursor func(T) string) []T {
	if len(items) <= size {
		return items
	}
	items = items[:size]
	next := cursor(items[size-1])
	q := url.Values{"limit": {strconv.Itoa(size)}, param: {next}}
	c.Header("Link", "<"+c.Request.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	c.Header("Next-Cursor", next)
	return items
}
