package router

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gitpaas/paas"
)

// Codes of the JSON error bodies that have no paas error kind: the API
// never answers with these statuses, only the edge does.
const (
	codeBadGateway     = "bad_gateway"
	codeGatewayTimeout = "gateway_timeout"
	codeRateLimited    = "rate_limited"
	codeOverloaded     = "overloaded"
	codeBodyTooLarge   = "body_too_large"
	codeBodyTimeout    = "request_timeout"
	codeMaintenance    = "maintenance"
	codeBadBody        = "bad_request"
)

// page is an error answered by the router itself, as HTML for browsers or
// as the API's JSON error shape for clients that accept JSON.
type page struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

// Title is the status text shown as the page's heading.
func (p page) Title() string { return http.StatusText(p.Status) }

// pageTemplate escapes every value, so a hostile Host header or app name
// cannot inject markup even if one ever reached a message.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Status}} {{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}small{color:#777}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{with .RequestID}}<p><small>Request ID: {{.}}</small></p>{{end}}
</body>
</html>
`))

// notFoundPage answers a host that names no deployed app. host is shown
// only when normalizeHost found it made of host name characters.
func notFoundPage(host string) page {
	msg := "no app is deployed at this address"
	if name, ok := normalizeHost(host); ok {
		msg = fmt.Sprintf("no app is deployed at this address (%s); check the app name with: paas apps", clip(name))
	}
	return page{Status: http.StatusNotFound, Code: paas.ENOTFOUND, Message: msg}
}

func unavailablePage(app string) page {
	return page{Status: http.StatusServiceUnavailable, Code: paas.EUNAVAILABLE,
		Message: fmt.Sprintf("app %s has no healthy instance right now; try again in a few seconds", app)}
}

func badGatewayPage(app string) page {
	return page{Status: http.StatusBadGateway, Code: codeBadGateway,
		Message: fmt.Sprintf("app %s failed to answer the request; try again, and if it keeps failing check the app's logs", app)}
}

func gatewayTimeoutPage(app string, timeout time.Duration) page {
	return page{Status: http.StatusGatewayTimeout, Code: codeGatewayTimeout,
		Message: fmt.Sprintf("app %s did not start answering within %s; try again, and if it keeps failing check the app's logs", app, timeout)}
}

func maintenancePage(app string) page {
	return page{Status: http.StatusServiceUnavailable, Code: codeMaintenance,
		Message: fmt.Sprintf("app %s is down for maintenance; try again later", app)}
}

func rateLimitedPage(app string) page {
	return page{Status: http.StatusTooManyRequests, Code: codeRateLimited,
		Message: fmt.Sprintf("app %s is receiving more requests than it may; slow down and try again after the time in Retry-After", app)}
}

func overloadedPage(app string, limit int) page {
	return page{Status: http.StatusServiceUnavailable, Code: codeOverloaded,
		Message: fmt.Sprintf("app %s already has %d requests in flight, its limit; try again in a moment", app, limit)}
}

func bodyTooLargePage(limit int64) page {
	return page{Status: http.StatusRequestEntityTooLarge, Code: codeBodyTooLarge,
		Message: fmt.Sprintf("the request body is larger than the limit of %d bytes; send a smaller one", limit)}
}

func bodyTimeoutPage(timeout time.Duration) page {
	return page{Status: http.StatusRequestTimeout, Code: codeBodyTimeout,
		Message: fmt.Sprintf("the request body stalled for more than %s; send it again", timeout)}
}

func badBodyPage() page {
	return page{Status: http.StatusBadRequest, Code: codeBadBody,
		Message: "the request body could not be read: it was malformed or cut short; send it again"}
}

// writePage writes p as JSON when the request accepts JSON, else as HTML.
func writePage(w http.ResponseWriter, req *http.Request, p page) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	contentType, body := renderPage(p, acceptsJSON(req.Header.Values("Accept")))
	h.Set("Content-Type", contentType)
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}

// renderPage returns p's body, as JSON or as HTML, and its content type.
func renderPage(p page, asJSON bool) (contentType string, body []byte) {
	var b bytes.Buffer
	if asJSON {
		_ = json.NewEncoder(&b).Encode(jsonError{Error: jsonErrorBody{Code: p.Code, Message: p.Message}})
		return "application/json", b.Bytes()
	}
	_ = pageTemplate.Execute(&b, p)
	return "text/html; charset=utf-8", b.Bytes()
}

// jsonError is the error shape of the platform's REST API.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// acceptsJSON reports whether any media range of the Accept headers is
// application/json (or a +json type), ignoring parameters such as q.
func acceptsJSON(accept []string) bool {
	for _, value := range accept {
		for part := range strings.SplitSeq(value, ",") {
			mt, _, err := mime.ParseMediaType(part)
			if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
				return true
			}
		}
	}
	return false
}
