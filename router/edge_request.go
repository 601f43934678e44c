package router

import "bytes"

// edgeMaxHeaders is the most header fields a request the edge carries may
// have; a request with more goes to net/http.
const edgeMaxHeaders = 64

// edgeRequest is a request head parsed in place: its slices point into
// the connection's buffer and hold until the next request is read.
type edgeRequest struct {
	method, target, host []byte
	contentLength        int64 // 0 when the request declares none
	close                bool  // the client sent Connection: close
	requestID            []byte
	cookie               []byte // the Cookie header, when there is one
	accept               []byte // the first Accept header
	// forward holds the header lines passed to the app as they came,
	// as offsets into the head: [start, end) without the CRLF.
	forward [edgeMaxHeaders][2]int
	nf      int
}

// parseEdgeRequest parses head, a request line and headers ending with an
// empty line, into req, and reports whether the edge may carry it: an
// HTTP/1.1 request in origin form whose body, if any, is framed by one
// Content-Length, without Expect, Upgrade, Transfer-Encoding, TE or
// Trailer, that does not ask for an event stream. Anything else,
// malformed heads included, goes to net/http, which answers what is
// malformed with a 400 as it always has: the edge never has to decide
// what an odd request means.
func parseEdgeRequest(head []byte, req *edgeRequest) bool {
	*req = edgeRequest{}
	eol := bytes.IndexByte(head, '\n')
	if eol < 1 || head[eol-1] != '\r' || !parseRequestLine(head[:eol-1], req) {
		return false
	}
	seenHost, seenLength := false, false
	for pos := eol + 1; ; {
		line, name, value, next, ok := nextField(head, pos)
		if !ok {
			return false
		}
		if len(line) == 0 {
			return next == len(head) && seenHost
		}
		if !fieldValue(value) {
			return false
		}
		switch kindOf(name, requestHeaderKinds, headerForwarded) {
		case headerIneligible:
			return false
		case headerHost:
			if seenHost || len(value) == 0 {
				return false
			}
			seenHost, req.host = true, value
		case headerContentLength:
			n, ok := parseDigits(value)
			if seenLength || !ok {
				return false
			}
			seenLength, req.contentLength = true, n
		case headerConnection:
			if !parseConnection(value, req) {
				return false
			}
		case headerRequestID:
			if req.requestID == nil {
				req.requestID = value
			}
		case headerDropped:
		case headerAccept:
			if bytes.Contains(value, []byte("text/event-stream")) {
				return false
			}
			if req.accept == nil {
				req.accept = value
			}
			fallthrough
		default:
			if req.nf == edgeMaxHeaders {
				return false
			}
			req.forward[req.nf] = [2]int{pos, pos + len(line)}
			req.nf++
		case headerCookie:
			if req.cookie != nil || req.nf == edgeMaxHeaders {
				return false
			}
			req.cookie = value
			req.forward[req.nf] = [2]int{pos, pos + len(line)}
			req.nf++
		}
		pos = next
	}
}

// nextField reads the line at head[pos:], which must end in CRLF, and
// returns it, its name and value, and where the next line starts. It
// reports false for a line without its CRLF, or that is not a field with
// a token for a name; the empty line that ends a head comes back with no
// name.
func nextField(head []byte, pos int) (line, name, value []byte, next int, ok bool) {
	rest := head[pos:]
	n := bytes.IndexByte(rest, '\n')
	if n < 1 || rest[n-1] != '\r' {
		return nil, nil, nil, 0, false
	}
	line, next = rest[:n-1], pos+n+1
	if len(line) == 0 {
		return line, nil, nil, next, true
	}
	colon := bytes.IndexByte(line, ':')
	if colon < 1 || !tokenBytes(line[:colon]) {
		return nil, nil, nil, 0, false
	}
	return line, line[:colon], trimOWS(line[colon+1:]), next, true
}

// parseRequestLine parses "METHOD /target HTTP/1.1".
func parseRequestLine(line []byte, req *edgeRequest) bool {
	sp := bytes.IndexByte(line, ' ')
	if sp < 1 || !tokenBytes(line[:sp]) {
		return false
	}
	req.method = line[:sp]
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp < 1 || string(rest[sp+1:]) != "HTTP/1.1" || string(req.method) == "CONNECT" {
		return false
	}
	req.target = rest[:sp]
	if req.target[0] != '/' {
		return false
	}
	for _, c := range req.target {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// parseConnection accepts the Connection tokens close and keep-alive;
// any other names a header to drop, which net/http's path does.
func parseConnection(value []byte, req *edgeRequest) bool {
	for len(value) > 0 {
		var tok []byte
		tok, value, _ = bytes.Cut(value, []byte(","))
		tok = trimOWS(tok)
		switch {
		case len(tok) == 0:
		case equalFold(tok, "close"):
			req.close = true
		case equalFold(tok, "keep-alive"):
		default:
			return false
		}
	}
	return true
}

// The kinds of request headers, for the edge.
const (
	headerForwarded     = iota // passed to the app as it came
	headerIneligible           // the request goes to net/http
	headerDropped              // hop-by-hop or set by the router
	headerHost                 //
	headerContentLength        //
	headerConnection           //
	headerRequestID            // X-Request-Id: replaced by the router's
	headerAccept               // forwarded, and read
	headerCookie               // forwarded, and read for the canary cookie
)

// headerKind is a header name, in lower case, and its kind.
type headerKind struct {
	name string
	kind int
}

// requestHeaderKinds sorts request headers as writeRequestHead and
// droppedRequestHeader do for net/http's path; any other is forwarded.
var requestHeaderKinds = []headerKind{
	{"host", headerHost},
	{"content-length", headerContentLength},
	{"connection", headerConnection},
	{"x-request-id", headerRequestID},
	{"accept", headerAccept},
	{"cookie", headerCookie},
	{"te", headerIneligible},
	{"expect", headerIneligible},
	{"upgrade", headerIneligible},
	{"trailer", headerIneligible},
	{"transfer-encoding", headerIneligible},
	{"keep-alive", headerDropped},
	{"proxy-connection", headerDropped},
	{"proxy-authenticate", headerDropped},
	{"proxy-authorization", headerDropped},
	{"forwarded", headerDropped},
	{"x-forwarded-for", headerDropped},
	{"x-forwarded-host", headerDropped},
	{"x-forwarded-proto", headerDropped},
	{"x-real-ip", headerDropped},
}

// kindOf returns the kind kinds give name, in any case, or otherwise.
func kindOf(name []byte, kinds []headerKind, otherwise int) int {
	for _, k := range kinds {
		if equalFold(name, k.name) {
			return k.kind
		}
	}
	return otherwise
}

// equalFold reports whether b equals lower, which is lower-case letters
// and dashes, in any case. b must be a token (tokenBytes), so that only
// letters fold.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// tokenBytes reports whether b is a non-empty token (RFC 9110, 5.6.2).
func tokenBytes(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenChar[c] {
			return false
		}
	}
	return true
}

var tokenChar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// fieldValue reports whether b holds only what a field value may: visible
// characters, spaces, tabs and obs-text, no controls.
func fieldValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseDigits parses a non-negative decimal of 1 to 18 digits.
func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
