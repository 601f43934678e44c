package apiclient

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gitpaas/paas"
)

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// maxDrain bounds how much of an unwanted body is read so that the
// connection can be reused.
const maxDrain = 64 << 10

// errorBody is the one shape of every API error.
type errorBody struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// decodeError turns a non-2xx answer into a *paas.Error. It keeps the
// server's code and message when the body has the documented shape, and
// otherwise derives the code from the status.
func decodeError(resp *http.Response, method, path string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil && eb.Error != nil && eb.Error.Message != "" {
		code := eb.Error.Code
		if code == "" {
			code = CodeForStatus(resp.StatusCode)
		}
		return &paas.Error{Code: code, Message: eb.Error.Message}
	}
	return &paas.Error{
		Code:    CodeForStatus(resp.StatusCode),
		Message: fmt.Sprintf("the API answered %s to %s %s%s", resp.Status, method, path, snippet(body)),
	}
}

// CodeForStatus maps an HTTP status to the error code that docs/api.md
// pairs with it, the inverse of the server's mapping.
func CodeForStatus(status int) string {
	switch status {
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return paas.EINVALID
	case http.StatusNotFound:
		return paas.ENOTFOUND
	case http.StatusConflict:
		return paas.ECONFLICT
	case http.StatusUnauthorized:
		return paas.EUNAUTHORIZED
	case http.StatusForbidden:
		return paas.EFORBIDDEN
	case http.StatusTooManyRequests:
		return paas.ERATELIMITED
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return paas.EUNAVAILABLE
	default:
		return paas.EINTERNAL
	}
}

// snippet quotes the start of a body that is not the documented error shape
// (a proxy's HTML page, say), so the user sees who answered.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" {
		return ""
	}
	return ": " + clip(s)
}
