package router

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"strings"
)

// maxResponseHeaderBytes bounds the status line and headers of an app's
// response, and its trailers.
const maxResponseHeaderBytes = 1 << 20

// max1xxResponses bounds the informational responses before the final
// one, as Go's Transport does.
const max1xxResponses = 5

var (
	errResponseHeaderTooLarge = errors.New("upstream: response headers too large")
	errMalformedResponse      = errors.New("upstream: malformed response")
	errResponseFraming        = errors.New("upstream: response framing is invalid")
	errUnexpectedUpgrade      = errors.New("upstream: 101 switching protocols to a request without upgrade")
	errTooMany1xx             = errors.New("upstream: too many 1xx responses")
)

// writeRequestHead writes req's request line and headers as the router
// forwards them: hop-by-hop headers and those the client's Connection
// names are dropped, as are Forwarded, X-Forwarded-*, X-Real-Ip and the
// client's X-Request-Id; X-Forwarded-For, -Host and -Proto and the request
// id are set afresh, exactly as rewrite does for the ReverseProxy path.
// The body framing is the Content-Length of req, which leanEligible has
// checked.
func writeRequestHead(bw *bufio.Writer, req *http.Request, requestID string) {
	bw.WriteString(req.Method)
	bw.WriteByte(' ')
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	bw.WriteString(path)
	if req.URL.ForceQuery || req.URL.RawQuery != "" {
		bw.WriteByte('?')
		bw.WriteString(req.URL.RawQuery)
	}
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(req.Host)
	bw.WriteString("\r\n")
	connection := req.Header["Connection"]
	for k, vv := range req.Header {
		if droppedRequestHeader(k) || len(connection) > 0 && namedIn(connection, k) {
			continue
		}
		for _, v := range vv {
			writeHeaderLine(bw, k, v)
		}
	}
	if hasToken(req.Header["Te"], "trailers") {
		writeHeaderLine(bw, "Te", "trailers")
	}
	if ip, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		writeHeaderLine(bw, "X-Forwarded-For", ip)
	}
	writeHeaderLine(bw, "X-Forwarded-Host", req.Host)
	if req.TLS != nil {
		writeHeaderLine(bw, "X-Forwarded-Proto", "https")
	} else {
		writeHeaderLine(bw, "X-Forwarded-Proto", "http")
	}
	writeHeaderLine(bw, requestIDHeader, requestID)
	writeContentLength(bw, req.Method, req.ContentLength)
	bw.WriteString("\r\n")
}

// writeContentLength frames a body of n bytes as Go's Transport does: a
// length when there is a body, and a zero length for an empty one except
// on GET and HEAD.
func writeContentLength(bw *bufio.Writer, method string, n int64) {
	if n == 0 && (method == http.MethodGet || method == http.MethodHead) {
		return
	}
	var num [20]byte
	bw.WriteString("Content-Length: ")
	bw.Write(appendInt(num[:0], n))
	bw.WriteString("\r\n")
}

func appendInt(b []byte, n int64) []byte {
	if n == 0 {
		return append(b, '0')
	}
	var tmp [20]byte
	i := len(tmp)
	for n > 0 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, tmp[i:]...)
}

func writeHeaderLine(bw *bufio.Writer, k, v string) {
	bw.WriteString(k)
	bw.WriteString(": ")
	bw.WriteString(v)
	bw.WriteString("\r\n")
}

// droppedRequestHeader reports whether the router never forwards header k
// as the client sent it: hop-by-hop headers (RFC 9110, 7.6.1), the
// headers it frames or sets itself, and those some apps would trust.
func droppedRequestHeader(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade",
		"Host", "Content-Length",
		"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", requestIDHeader:
		return true
	}
	return false
}

// hopByHopResponseHeader reports whether k is a hop-by-hop header of a
// response, which the router does not pass on.
func hopByHopResponseHeader(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// namedIn reports whether the Connection header values name header k.
func namedIn(connection []string, k string) bool {
	for _, v := range connection {
		for name := range strings.SplitSeq(v, ",") {
			if name = textproto.TrimString(name); name != "" && textproto.CanonicalMIMEHeaderKey(name) == k {
				return true
			}
		}
	}
	return false
}

// hasToken reports whether the comma-separated values hold token, in any
// case.
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(textproto.TrimString(t), token) {
				return true
			}
		}
	}
	return false
}

// responseHead is the status and headers of an app's response, and how
// its body is framed.
type responseHead struct {
	status    int
	header    http.Header
	length    int64 // of the body: -1 when chunked or delimited by the close
	chunked   bool
	keepAlive bool // the connection may carry another request after the body
}

// readResponseHead reads one response's status line and headers from c,
// an informational (1xx) one included, and works out its body's framing
// for a request of method. It is strict: anything Go's own client would
// refuse, or that could leave the connection in doubt, is an error, and
// a response framed by both Transfer-Encoding and Content-Length is read
// chunked, without its Content-Length, and ends the connection.
func readResponseHead(c *upstreamConn, method string) (*responseHead, error) {
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errMalformedResponse
		}
		return nil, err
	}
	h := &responseHead{length: -1}
	var minor int
	if h.status, minor, err = parseStatusLine(line); err != nil {
		return nil, err
	}
	mh, err := c.tp.ReadMIMEHeader()
	if err != nil {
		if errors.Is(err, errResponseHeaderTooLarge) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", errMalformedResponse, err)
	}
	h.header = http.Header(mh)
	h.keepAlive = minor == 1 && !hasToken(h.header["Connection"], "close")
	if err := h.frame(method); err != nil {
		return nil, err
	}
	return h, nil
}

// parseStatusLine parses "HTTP/1.x 200 OK\r\n", the reason optional.
func parseStatusLine(line []byte) (status, minor int, err error) {
	if n := len(line); n >= 2 && line[n-2] == '\r' {
		line = line[:n-2]
	} else {
		line = line[:n-1]
	}
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' || len(line) > 12 && line[12] != ' ' {
		return 0, 0, errMalformedResponse
	}
	switch line[7] {
	case '0':
		minor = 0
	case '1':
		minor = 1
	default:
		return 0, 0, errMalformedResponse
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, 0, errMalformedResponse
		}
		status = status*10 + int(d-'0')
	}
	if status < 100 {
		return 0, 0, errMalformedResponse
	}
	return status, minor, nil
}

// frame works out the body's framing (RFC 9112, section 6.3).
func (h *responseHead) frame(method string) error {
	te, cl := h.header["Transfer-Encoding"], h.header["Content-Length"]
	if len(te) > 0 {
		if len(te) != 1 || !strings.EqualFold(textproto.TrimString(te[0]), "chunked") {
			return errResponseFraming
		}
		h.chunked = true
		if len(cl) > 0 {
			delete(h.header, "Content-Length")
			h.keepAlive = false
		}
	} else if len(cl) > 0 {
		n, ok := parseContentLength(cl)
		if !ok {
			return errResponseFraming
		}
		h.length = n
	}
	switch {
	case method == http.MethodHead || h.status < 200 || h.status == http.StatusNoContent || h.status == http.StatusNotModified:
		h.length, h.chunked = 0, false
	case !h.chunked && h.length < 0:
		h.keepAlive = false // delimited by the connection's close
	}
	return nil
}

// parseContentLength accepts one length, or several equal ones, of
// decimal digits only.
func parseContentLength(values []string) (int64, bool) {
	first := textproto.TrimString(values[0])
	for _, v := range values[1:] {
		if textproto.TrimString(v) != first {
			return 0, false
		}
	}
	if first == "" || len(first) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(first); i++ {
		c := first[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
