package router

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"strconv"
)

// edgeResponse is the head of an app's response as the edge relays it.
type edgeResponse struct {
	status       int
	length       int64 // of the body; -1: chunked, or up to the close
	chunked      bool
	keepAlive    bool // the connection may carry another request after the body
	hasRequestID bool
	// head is the status line and the end-to-end header lines to pass
	// on, each with its CRLF, without the blank line.
	head []byte
}

func (resp *edgeResponse) appendHead(out []byte) []byte { return append(out, resp.head...) }

// errHeadTooLarge says a response head does not fit the connection's
// buffer: it is read the general way.
var errHeadTooLarge = errors.New("response head larger than the buffer")

// readEdgeResponse reads the head of the app's response on uc, within the
// response header timeout, and passes informational (1xx) responses on
// to the client.
func (r *Router) readEdgeResponse(c *edgeConn, uc *upstreamConn) (*edgeResponse, error) {
	if err := uc.awaitHead(c.ex.start, r.upstream.headerTimeout); err != nil {
		return nil, err
	}
	resp := &c.resp
	for range max1xxResponses + 1 {
		if err := readResponseHeadInto(uc, c.req.method, resp); err != nil {
			return nil, err
		}
		if resp.status == http.StatusSwitchingProtocols {
			return nil, errUnexpectedUpgrade
		}
		if resp.status >= 200 {
			// The deadline stays for now: a body already read whole,
			// as most are, needs no more reads. relayBody clears it
			// before any.
			return resp, nil
		}
		if err := c.send(append(resp.head, "\r\n"...)); err != nil {
			return nil, err
		}
	}
	return nil, errTooMany1xx
}

// readResponseHeadInto reads one response head into resp: in place from
// uc's buffer when it fits there and is plain, else with
// readResponseHead, which handles any head up to its limit.
func readResponseHeadInto(uc *upstreamConn, method []byte, resp *edgeResponse) error {
	*resp = edgeResponse{length: -1, head: resp.head[:0]}
	head, err := peekHead(uc.br)
	switch {
	case err == nil:
		if parsePlainResponse(head, method, resp) {
			_, _ = uc.br.Discard(len(head))
			return nil
		}
		*resp = edgeResponse{length: -1, head: resp.head[:0]}
	case !errors.Is(err, errHeadTooLarge):
		return err
	}
	// The limit counts from the head's first byte, some of which are
	// read already.
	uc.in.limit = uc.in.n - int64(uc.br.Buffered()) + maxResponseHeaderBytes
	h, err := readResponseHead(uc, string(method))
	uc.in.limit = 0
	if err != nil {
		return err
	}
	resp.status, resp.length, resp.chunked, resp.keepAlive = h.status, h.length, h.chunked, h.keepAlive
	out := append(resp.head, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(h.status), 10)
	out = append(out, ' ')
	out = append(out, http.StatusText(h.status)...)
	out = append(out, "\r\n"...)
	connection := h.header["Connection"]
	for k, vv := range h.header {
		keep := k == "Trailer" && h.chunked || !hopByHopResponseHeader(k) && !(len(connection) > 0 && namedIn(connection, k))
		if !keep {
			continue
		}
		resp.hasRequestID = resp.hasRequestID || k == requestIDHeader
		for _, v := range vv {
			out = append(out, k...)
			out = append(out, ": "...)
			out = append(out, v...)
			out = append(out, "\r\n"...)
		}
	}
	resp.head = out
	return nil
}

// peekHead waits until br holds a whole response head, and returns it
// without consuming it. The head ends at an empty line, ended by CRLF or,
// as some servers end the lines of a CGI script, by a bare LF (such a head
// is then read by readResponseHead, which accepts them).
func peekHead(br *bufio.Reader) ([]byte, error) {
	for {
		b, _ := br.Peek(br.Buffered())
		if n := headLength(b); n > 0 {
			return b[:n], nil
		}
		if br.Buffered() == br.Size() {
			return nil, errHeadTooLarge
		}
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			return nil, err
		}
	}
}

// headLength returns the length of the head at the start of b, up to and
// including its empty line, or 0 when b does not hold it all.
func headLength(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return 0
		}
		end := i + j + 1
		switch {
		case end < len(b) && b[end] == '\n':
			return end + 1
		case end+1 < len(b) && b[end] == '\r' && b[end+1] == '\n':
			return end + 2
		}
		i = end
	}
}

// parsePlainResponse parses head into resp when it is a plain response:
// a valid status line, no Transfer-Encoding, one Content-Length at most,
// and a Connection header of close or keep-alive only. It reports false
// for anything else, which readResponseHead then reads (and refuses,
// when it is malformed).
func parsePlainResponse(head, method []byte, resp *edgeResponse) bool {
	eol := bytes.IndexByte(head, '\n')
	status, minor, err := parseStatusLine(head[:eol+1])
	if err != nil {
		return false
	}
	resp.status, resp.keepAlive = status, minor == 1
	out := append(resp.head, "HTTP/1.1 "...)
	out = append(out, bytes.TrimRight(head[9:eol+1], "\r\n")...)
	out = append(out, "\r\n"...)
	seenLength := false
	for pos := eol + 1; ; {
		line, name, value, next, ok := nextField(head, pos)
		if !ok {
			return false
		}
		pos = next
		if len(line) == 0 {
			break
		}
		switch kindOf(name, responseHeaderKinds, responsePassed) {
		case responseHopByHop:
			continue
		case responseIneligible:
			return false
		case responseConnection:
			var req edgeRequest
			if !parseConnection(value, &req) {
				return false
			}
			if req.close {
				resp.keepAlive = false
			}
			continue
		case responseContentLength:
			n, ok := parseDigits(value)
			if !ok || seenLength && n != resp.length {
				return false
			}
			seenLength, resp.length = true, n
		case responseRequestID:
			resp.hasRequestID = true
		}
		out = append(out, line...)
		out = append(out, "\r\n"...)
	}
	resp.head = out
	m := string(method)
	switch {
	case m == http.MethodHead || status < 200 || status == http.StatusNoContent || status == http.StatusNotModified:
		resp.length = 0
	case !seenLength:
		resp.length, resp.keepAlive = -1, false
	}
	return true
}

// The kinds of response headers, for the edge.
const (
	responsePassed = iota
	responseHopByHop
	responseIneligible // read by readResponseHead instead
	responseConnection
	responseContentLength
	responseRequestID
)

// responseHeaderKinds sorts response headers as hopByHopResponseHeader
// does; any other is passed on.
var responseHeaderKinds = []headerKind{
	{"connection", responseConnection},
	{"content-length", responseContentLength},
	{"x-request-id", responseRequestID},
	{"transfer-encoding", responseIneligible},
	{"keep-alive", responseHopByHop},
	{"proxy-connection", responseHopByHop},
	{"proxy-authenticate", responseHopByHop},
	{"proxy-authorization", responseHopByHop},
	{"te", responseHopByHop},
	{"trailer", responseHopByHop},
	{"upgrade", responseHopByHop},
}
