package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httputil"
	"strings"
	"time"
)

// The lean path: plain HTTP/1.1 requests go to the app through the
// router's own client, on the handler's goroutine. It writes the request
// line and headers and the body with one write, reads the response on the
// same goroutine and streams its body to the client, and keeps the
// connection, with its buffers, for the next request only when the
// response was read to its end and allows it. Go's Transport hands every
// request to a writer goroutine and takes the response from a reader
// goroutine; without those hand-offs the router makes about twice the
// requests per second (docs/router.md).
//
// Whatever the lean path does not carry goes through httputil.ReverseProxy
// and Go's Transport, as before: protocol upgrades and event streams,
// Expect: 100-continue, request trailers, chunked request bodies and
// bodies over maxLeanBody. Those are the requests where the app may
// answer before it has read the whole request, which needs a reader and
// a writer at the same time.

// maxLeanBody is the largest request body the lean path carries: small
// enough to sit in the socket's buffers if the app answers without
// reading it.
const maxLeanBody = 64 << 10

// leanEligible reports whether the lean path can carry req.
func leanEligible(req *http.Request) bool {
	if req.ProtoMajor != 1 || req.Method == http.MethodConnect || len(req.Trailer) > 0 {
		return false
	}
	if req.ContentLength < 0 || req.ContentLength > maxLeanBody {
		return false
	}
	if req.URL.Opaque != "" || req.URL.Path != "" && req.URL.Path[0] != '/' {
		return false
	}
	h := req.Header
	return len(h["Expect"]) == 0 && len(h["Upgrade"]) == 0 && !isLongLived(req)
}

// leanExchange is one request through the lean path.
type leanExchange struct {
	r    *Router
	req  *http.Request
	ex   *exchange
	t    *target
	c    *upstreamConn
	stop func() bool // unregisters the close on the client's leaving

	bodyRead int64 // bytes of the client's body consumed so far
}

// serveLean proxies req to t. It returns the error that kept it from
// answering, with nothing written to the client, so that forward may try
// another target or answer with an error page; once the response has
// begun, a failure aborts it (http.ErrAbortHandler), as ReverseProxy does.
func (r *Router) serveLean(req *http.Request, ex *exchange, t *target) error {
	lx := &leanExchange{r: r, req: req, ex: ex, t: t}
	head, err := lx.send()
	if err != nil {
		return err
	}
	lx.respond(head)
	return nil
}

// send writes the request on an idle connection or a new one, and reads
// the final response's head. A request that failed before any byte of a
// response, on a connection that had served others (the app may have
// closed it just as it was taken from the pool), is sent once more on a
// new connection when the app saw none of it, or when it may be sent
// twice: an idempotent request without a body.
func (lx *leanExchange) send() (*responseHead, error) {
	ctx := lx.req.Context()
	c, err := lx.r.upstream.connect(ctx, lx.t)
	if err != nil {
		return nil, err
	}
	head, err := lx.roundTrip(c)
	if err == nil {
		return head, nil
	}
	again := c.reused && c.in.n == 0 && ctx.Err() == nil && !isTimeout(err) && !isClientBodyError(err) &&
		(c.out.n == 0 && lx.bodyRead == 0 || retryable(lx.req))
	lx.discard()
	if !again {
		return nil, err
	}
	if c, err = lx.r.upstream.dial(ctx, lx.t); err != nil {
		return nil, err
	}
	head, err = lx.roundTrip(c)
	if err != nil {
		lx.discard()
		return nil, err
	}
	return head, nil
}

// roundTrip sends the request on c and reads the response up to its final
// head; informational responses are passed on to the client on the way.
// When it fails, c is lx's, to be discarded.
func (lx *leanExchange) roundTrip(c *upstreamConn) (*responseHead, error) {
	lx.c = c
	c.begin()
	// A client that leaves closes the connection to the app, which ends
	// the app's request and unblocks whatever this goroutine waits for.
	lx.stop = context.AfterFunc(lx.req.Context(), c.close)
	writeRequestHead(c.bw, lx.req, lx.ex.requestID)
	werr := lx.writeBody()
	if werr == nil {
		werr = c.bw.Flush()
	}
	if isClientBodyError(werr) {
		return nil, werr
	}
	// A write that failed may be the app answering early and closing:
	// its answer, if any, is still worth reading.
	head, err := lx.readHead()
	switch {
	case err != nil && werr != nil:
		return nil, werr
	case err != nil:
		return nil, err
	case werr != nil:
		head.keepAlive = false
	}
	return head, nil
}

// clientBodyError is a failure to read the client's body: the client's
// fault, which proxyFailed answers from the body's own record.
type clientBodyError struct{ err error }

func (e *clientBodyError) Error() string { return "reading the request body: " + e.err.Error() }
func (e *clientBodyError) Unwrap() error { return e.err }

func isClientBodyError(err error) bool {
	var cb *clientBodyError
	return errors.As(err, &cb)
}

// writeBody streams the client's body, of req.ContentLength bytes, to
// the app: the head goes at once and each part of the body as it comes,
// so that the app sees the request, and a body that fails half way fails
// its read too, as on the ReverseProxy path. It reads the body to its end,
// as Go's Transport does, so that the body's read deadline is cleared
// (request_body.go).
func (lx *leanExchange) writeBody() error {
	if lx.req.ContentLength == 0 {
		return nil
	}
	werr := lx.c.bw.Flush()
	bp := lx.r.buffers.get()
	defer lx.r.buffers.put(bp)
	buf := *bp
	for {
		n, err := lx.req.Body.Read(buf)
		lx.bodyRead += int64(n)
		if n > 0 && werr == nil {
			if _, werr = lx.c.bw.Write(buf[:n]); werr == nil {
				werr = lx.c.bw.Flush()
			}
		}
		switch {
		case lx.bodyRead > lx.req.ContentLength:
			return &clientBodyError{errors.New("body longer than its content length")}
		case err == io.EOF && lx.bodyRead < lx.req.ContentLength:
			return &clientBodyError{io.ErrUnexpectedEOF}
		case err == io.EOF:
			return werr
		case err != nil:
			return &clientBodyError{err}
		}
	}
}

// readHead reads response heads until a final one, within the response
// header timeout, passing 1xx responses on.
func (lx *leanExchange) readHead() (*responseHead, error) {
	c := lx.c
	if err := c.awaitHead(time.Now(), lx.r.upstream.headerTimeout); err != nil {
		return nil, err
	}
	for range max1xxResponses + 1 {
		c.in.limit = c.in.n + maxResponseHeaderBytes
		head, err := readResponseHead(c, lx.req.Method)
		c.in.limit = 0
		if err != nil {
			return nil, err
		}
		if head.status == http.StatusSwitchingProtocols {
			return nil, errUnexpectedUpgrade
		}
		if head.status >= 200 {
			return head, c.noDeadline()
		}
		lx.informational(head)
	}
	return nil, errTooMany1xx
}

// informational passes a 1xx response on to the client, with the app's
// headers only: what the router has set for the final response (the
// canary cookie) is kept for it.
func (lx *leanExchange) informational(head *responseHead) {
	h := lx.ex.rec.Header()
	saved := h.Clone()
	clear(h)
	for k, vv := range head.header {
		if !hopByHopResponseHeader(k) {
			h[k] = vv
		}
	}
	lx.ex.rec.WriteHeader(head.status)
	clear(h)
	for k, vv := range saved {
		h[k] = vv
	}
}

// discard closes the exchange's connection.
func (lx *leanExchange) discard() {
	lx.stop()
	lx.c.close()
}

// respond writes the response head to the client and streams its body,
// then keeps the connection or closes it.
func (lx *leanExchange) respond(head *responseHead) {
	announced := lx.writeHead(head)
	err := lx.copyBody(head)
	if err == nil && head.chunked {
		err = lx.trailers(announced)
	}
	if err != nil {
		lx.ex.err = err
		lx.discard()
		// The status is out: all that is left is to cut the response.
		panic(http.ErrAbortHandler)
	}
	lx.release(head)
}

// writeHead copies the response's end-to-end headers to the client, with
// the request id unless the app set one, and announces its trailers.
// Headers the router set already (the canary cookie) are added to, not
// replaced. It returns the announced trailer names.
func (lx *leanExchange) writeHead(head *responseHead) []string {
	var announced []string
	if head.chunked {
		for _, v := range head.header["Trailer"] {
			for name := range strings.SplitSeq(v, ",") {
				if name = strings.TrimSpace(name); name != "" {
					announced = append(announced, http.CanonicalHeaderKey(name))
				}
			}
		}
	}
	connection := head.header["Connection"]
	dst := lx.ex.rec.Header()
	for k, vv := range head.header {
		if hopByHopResponseHeader(k) || len(connection) > 0 && namedIn(connection, k) {
			continue
		}
		if mine, ok := dst[k]; ok {
			vv = append(mine, vv...)
		}
		dst[k] = vv
	}
	if len(dst[requestIDHeader]) == 0 {
		lx.ex.requestIDValue[0] = lx.ex.requestID
		dst[requestIDHeader] = lx.ex.requestIDValue[:]
	}
	if len(announced) > 0 {
		dst["Trailer"] = []string{strings.Join(announced, ", ")}
	}
	lx.ex.rec.WriteHeader(head.status)
	return announced
}

// copyBody streams the response body to the client. A body of unknown
// length, or an event stream, is flushed after every write, as
// ReverseProxy does; a body of known length goes through the server's
// buffer.
func (lx *leanExchange) copyBody(head *responseHead) error {
	if head.length == 0 {
		return nil
	}
	if head.length > 0 && head.length <= int64(lx.c.br.Buffered()) && !isEventStream(head.header) {
		return lx.copyBuffered(int(head.length))
	}
	var body io.Reader = lx.c.br
	switch {
	case head.chunked:
		body = httputil.NewChunkedReader(lx.c.br)
	case head.length > 0:
		body = &io.LimitedReader{R: lx.c.br, N: head.length}
	}
	var rc *http.ResponseController
	if head.length < 0 || isEventStream(head.header) {
		rc = http.NewResponseController(&lx.ex.rec)
	}
	bp := lx.r.buffers.get()
	defer lx.r.buffers.put(bp)
	buf := *bp
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := lx.ex.rec.Write(buf[:n]); err != nil {
				return err
			}
			if rc != nil {
				if err := rc.Flush(); err != nil {
					return err
				}
			}
		}
		switch {
		case rerr == io.EOF && head.length > 0:
			if body.(*io.LimitedReader).N > 0 {
				return io.ErrUnexpectedEOF
			}
			return nil
		case rerr == io.EOF:
			return nil
		case rerr != nil:
			return rerr
		}
	}
}

// copyBuffered writes a body of n bytes that is already in the
// connection's buffer, as most small responses are, without copying it.
func (lx *leanExchange) copyBuffered(n int) error {
	b, err := lx.c.br.Peek(n)
	if err != nil {
		return err
	}
	_, err = lx.ex.rec.Write(b)
	_, _ = lx.c.br.Discard(n)
	return err
}

// isEventStream reports whether the response is server-sent events.
func isEventStream(h http.Header) bool {
	ct := h["Content-Type"]
	if len(ct) == 0 || !strings.Contains(strings.ToLower(ct[0]), "event-stream") {
		return false
	}
	mt, _, _ := mime.ParseMediaType(ct[0])
	return mt == "text/event-stream"
}

// trailers reads the trailer section of a chunked body and passes it on:
// announced fields as trailers, others under http.TrailerPrefix.
func (lx *leanExchange) trailers(announced []string) error {
	c := lx.c
	if p, err := c.br.Peek(2); err == nil && string(p) == "\r\n" {
		_, _ = c.br.Discard(2)
		return nil
	}
	c.in.limit = c.in.n + maxResponseHeaderBytes
	trailer, err := c.tp.ReadMIMEHeader()
	c.in.limit = 0
	if err != nil {
		return fmt.Errorf("%w: %w", errMalformedResponse, err)
	}
	rc := http.NewResponseController(&lx.ex.rec)
	if err := rc.Flush(); err != nil {
		return err
	}
	dst := lx.ex.rec.Header()
	for k, vv := range trailer {
		if hopByHopResponseHeader(k) {
			continue
		}
		if !contains(announced, k) {
			k = http.TrailerPrefix + k
		}
		dst[k] = vv
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// release keeps the connection for the next request when the response
// allowed it and left nothing after itself, and closes it otherwise. A
// connection whose client left is closed already.
func (lx *leanExchange) release(head *responseHead) {
	c := lx.c
	if !lx.stop() || !head.keepAlive || c.br.Buffered() > 0 || lx.req.Method == http.MethodHead {
		c.close()
		return
	}
	lx.t.conns.put(c)
}
