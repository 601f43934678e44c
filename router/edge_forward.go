package router

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httputil"
	"strconv"
	"time"
)

// edgeOutcome says what the connection does after serveEdge.
type edgeOutcome int

const (
	edgeKeep    edgeOutcome = iota // read the next request
	edgeClose                      // close the connection
	edgeHandOff                    // nothing was done: net/http takes the connection
)

// edgeExchange is one request through the edge, kept in its connection
// so that a request allocates nothing for it.
type edgeExchange struct {
	start     time.Time
	app       string
	state     *appState
	requestID string
	target    *target
	status    int
	bytes     int64 // of the response body sent
	err       error
	bucket    int    // the client's canary bucket once known, else -1
	setCookie string // a new canary bucket's Set-Cookie
	closing   bool   // the connection closes after this response
}

// serveEdge proxies the request c holds (parsed in c.req, its head the
// c.headLen bytes at c.buf[c.r:], its body right after) to an instance of
// its app, and answers as ServeHTTP would when a limit turns it away or no
// instance can take it. It hands off, having done nothing, the requests
// that need more of ServeHTTP: a host that names no app (and /healthz),
// an app in maintenance or held while it scales from zero, a body over
// the limit.
func (r *Router) serveEdge(c *edgeConn) edgeOutcome {
	req := &c.req
	app, ok := c.appOf(req.host)
	if !ok || r.inMaintenance(app) {
		return edgeHandOff
	}
	lb := r.table.Load().lookup(app)
	if lb == nil || r.holder.Load() != nil && lb.countHealthy(0, nil) == 0 {
		return edgeHandOff
	}
	if r.opts.MaxBodyBytes != Unlimited && req.contentLength > r.opts.MaxBodyBytes {
		return edgeHandOff
	}
	state := lb.state
	x := &c.ex
	*x = edgeExchange{start: time.Now(), app: app, state: state, bucket: -1}
	r.active.Add(1)
	defer r.active.Add(-1)
	x.requestID = requestID(string(req.requestID))
	x.closing = req.close
	var outcome edgeOutcome
	switch {
	case !state.allow():
		outcome = c.reject(reasonRateLimit, rateLimitedPage(app), r.rateRetryAfter)
	case !state.acquire():
		outcome = c.reject(reasonBulkhead, overloadedPage(app, r.opts.MaxConcurrent), bulkheadRetryAfter)
	default:
		outcome = r.edgeForward(c, lb)
		state.release()
	}
	r.finishEdge(c)
	return outcome
}

// reject answers on the router's behalf and counts why.
func (c *edgeConn) reject(reason string, p page, retryAfter string) edgeOutcome {
	c.ex.state.metrics.rejected[reason].Inc()
	return c.writePage(p, retryAfter)
}

// appOf returns the app host names, remembering the last answer: a
// keep-alive connection names the same host request after request.
func (c *edgeConn) appOf(host []byte) (string, bool) {
	if c.lastApp != "" && string(host) == c.lastHost && c.e.r.domains.Load() == c.lastDomains {
		return c.lastApp, true
	}
	app, ok := c.e.r.appOf(string(host))
	if ok {
		c.lastHost, c.lastApp, c.lastDomains = string(host), app, c.e.r.domains.Load()
	}
	return app, ok
}

// canaryBucket returns the client's bucket from its cookie, or gives it a
// new one, set on the response.
func (c *edgeConn) canaryBucket() int {
	if v, ok := cookieValue(c.req.cookie, canaryCookie); ok {
		if n, ok := parseBucket(string(v)); ok {
			return n
		}
	}
	x := &c.ex
	if x.bucket < 0 {
		x.bucket = rand.IntN(100)
		x.setCookie = bucketCookie(x.bucket)
	}
	return x.bucket
}

// cookieValue finds cookie name in a Cookie header.
func cookieValue(header []byte, name string) ([]byte, bool) {
	for len(header) > 0 {
		var part []byte
		part, header, _ = bytes.Cut(header, []byte(";"))
		part = trimOWS(part)
		k, v, ok := bytes.Cut(part, []byte("="))
		if ok && string(k) == name {
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return nil, false
}

// edgeForward sends the request to the next healthy target of lb and
// relays the response. When that target cannot be reached, an idempotent
// request without a body goes once more to another, as forward does.
func (r *Router) edgeForward(c *edgeConn, lb *loadBalancer) edgeOutcome {
	x := &c.ex
	t := r.pickRouted(x.app, lb, nil, c.canaryBucket)
	if t == nil {
		return c.reject(reasonNoHealthy, unavailablePage(x.app), r.retryAfter)
	}
	uc, resp, err := r.edgeAttempt(c, t)
	if err != nil && isConnectionError(err) && c.retryable() {
		if next := r.pickRouted(x.app, lb, t, c.canaryBucket); next != nil {
			uc, resp, err = r.edgeAttempt(c, next)
		}
	}
	if err != nil {
		if c.gone.Load() {
			x.err, x.status = errClientGone, statusClientClosed
			return edgeClose
		}
		x.err = err
		p := badGatewayPage(x.app)
		if isTimeout(err) && !isConnectionError(err) {
			p = gatewayTimeoutPage(x.app, r.opts.ResponseHeaderTimeout)
		}
		return c.writePage(p, "")
	}
	return c.relay(uc, resp)
}

// edgeAttempt sends the request to t and reads the response's head. A
// request that failed before any response on a connection that had
// served others goes once more on a new connection when that is safe
// (edgeMayResend). A target that refuses the connection leaves rotation.
func (r *Router) edgeAttempt(c *edgeConn, t *target) (*upstreamConn, *edgeResponse, error) {
	c.ex.target = t
	uc, err := r.upstream.connect(context.Background(), t)
	if err == nil {
		var resp *edgeResponse
		if resp, err = r.edgeRoundTrip(c, uc); err == nil {
			return uc, resp, nil
		}
		uc.close()
		if !r.edgeMayResend(c, uc, err) {
			return nil, nil, err
		}
		if uc, err = r.upstream.dial(context.Background(), t); err == nil {
			if resp, err = r.edgeRoundTrip(c, uc); err == nil {
				return uc, resp, nil
			}
			uc.close()
		}
	}
	if isConnectionError(err) {
		t.connectionFailed(err)
	}
	return nil, nil, err
}

// retryable reports whether the request may go to a second target: an
// idempotent one without a body (retryable, for net/http's path).
func (c *edgeConn) retryable() bool {
	m := string(c.req.method)
	return c.req.contentLength == 0 && (m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions)
}

// edgeMayResend reports whether a request that failed on uc before any
// response may go again on a new connection: uc had served others (the
// app may have closed it as it was taken), nothing came back, and the
// app saw none of the request, or the request may be sent twice.
func (r *Router) edgeMayResend(c *edgeConn, uc *upstreamConn, err error) bool {
	if !uc.reused || uc.in.n != 0 || isTimeout(err) || c.gone.Load() {
		return false
	}
	return uc.out.n == 0 || c.retryable()
}

// edgeRoundTrip writes the request on uc and reads the response's head,
// passing informational responses on. The hang-up watch runs from the
// write to the end of the exchange.
func (r *Router) edgeRoundTrip(c *edgeConn, uc *upstreamConn) (*edgeResponse, error) {
	uc.begin()
	c.writeUpstream(uc)
	c.startWatch(uc)
	// A write that failed may be the app answering early and closing:
	// its answer, if any, is still worth reading.
	werr := uc.flushWithRead()
	resp, err := r.readEdgeResponse(c, uc)
	switch {
	case err != nil && werr != nil:
		err = werr
	case err == nil && werr != nil:
		resp.keepAlive = false
	}
	if err != nil {
		c.stopWatch()
		return nil, err
	}
	return resp, nil
}

// writeUpstream writes the request to uc's buffer as the router forwards
// it (writeRequestHead for net/http's path): the client's headers but
// the hop-by-hop ones and those the router sets, then X-Forwarded-For,
// -Host, -Proto and the request id, then the body.
func (c *edgeConn) writeUpstream(uc *upstreamConn) {
	n := c.headLen
	req, head, bw := &c.req, c.buf[c.r:c.r+n], uc.bw
	bw.Write(req.method)
	bw.WriteByte(' ')
	bw.Write(req.target)
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.Write(req.host)
	bw.WriteString("\r\n")
	for _, span := range req.forward[:req.nf] {
		bw.Write(head[span[0]:span[1]])
		bw.WriteString("\r\n")
	}
	if c.remoteIP != "" {
		writeHeaderLine(bw, "X-Forwarded-For", c.remoteIP)
	}
	bw.WriteString("X-Forwarded-Host: ")
	bw.Write(req.host)
	bw.WriteString("\r\nX-Forwarded-Proto: http\r\n")
	writeHeaderLine(bw, requestIDHeader, c.ex.requestID)
	writeContentLength(bw, string(req.method), req.contentLength)
	bw.WriteString("\r\n")
	bw.Write(c.buf[c.r+n : c.r+n+int(req.contentLength)])
}

// finishEdge counts and logs the exchange.
func (r *Router) finishEdge(c *edgeConn) {
	x := &c.ex
	d := time.Since(x.start)
	r.observe(x.app, x.state, x.target, x.status, d)
	ctx := context.Background()
	level, ok := r.accessLevel(ctx)
	if !ok {
		return
	}
	path, _, _ := bytes.Cut(c.req.target, []byte("?"))
	r.writeAccess(ctx, level, accessRecord{
		app: x.app, requestID: x.requestID, target: x.target, err: x.err,
		method: string(c.req.method), path: string(path), host: string(c.req.host),
		status: x.status, bytes: x.bytes, duration: d,
	})
}

// writePage answers with one of the router's pages, before any of the
// app's response was written.
func (c *edgeConn) writePage(p page, retryAfter string) edgeOutcome {
	x := &c.ex
	p.RequestID = x.requestID
	x.closing = x.closing || c.e.shutting.Load()
	contentType, body := renderPage(p, acceptsJSON([]string{string(c.req.accept)}))
	out := make([]byte, 0, 256+len(body))
	out = append(out, "HTTP/1.1 "...)
	out = strconv.AppendInt(out, int64(p.Status), 10)
	out = append(out, ' ')
	out = append(out, http.StatusText(p.Status)...)
	out = append(out, "\r\nContent-Type: "...)
	out = append(out, contentType...)
	out = append(out, "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Request-Id: "...)
	out = append(out, x.requestID...)
	if x.setCookie != "" {
		out = append(out, "\r\nSet-Cookie: "...)
		out = append(out, x.setCookie...)
	}
	if retryAfter != "" {
		out = append(out, "\r\nRetry-After: "...)
		out = append(out, retryAfter...)
	}
	out = append(out, "\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(len(body)), 10)
	if x.closing {
		out = append(out, "\r\nConnection: close"...)
	}
	out = append(out, "\r\n\r\n"...)
	if string(c.req.method) != http.MethodHead {
		out = append(out, body...)
	}
	x.status = p.Status
	if _, err := c.conn.Write(out); err != nil {
		return edgeClose
	}
	x.bytes = int64(len(body))
	if x.closing {
		return edgeClose
	}
	return edgeKeep
}

// relay writes the app's response to the client and keeps or closes both
// connections.
func (c *edgeConn) relay(uc *upstreamConn, resp *edgeResponse) edgeOutcome {
	x := &c.ex
	x.status = resp.status
	if c.e.shutting.Load() {
		x.closing = true
	}
	// A body the app ends by closing goes to the client chunked, which
	// keeps the client's connection, as Go's server does.
	rechunk := resp.chunked || resp.length < 0
	bp := c.e.r.buffers.get()
	out := c.appendHead((*bp)[:0], resp, rechunk)
	var last []byte
	var err error
	switch {
	case resp.chunked:
		err = c.relayChunked(uc, out, httputil.NewChunkedReader(uc.br), true)
	case rechunk:
		err = c.relayChunked(uc, out, uc.br, false)
	default:
		last, err = c.relayBody(uc, resp.length, out)
	}
	alive := c.stopWatch()
	if err == nil && alive {
		err = c.sendLast(last, bp)
	} else {
		c.e.r.buffers.put(bp)
	}
	if err != nil || !alive {
		uc.close()
		x.err = err
		if !alive {
			x.err = errClientGone
		}
		return edgeClose
	}
	if resp.keepAlive && uc.br.Buffered() == 0 && string(c.req.method) != http.MethodHead {
		x.target.conns.put(uc)
	} else {
		uc.close()
	}
	if x.closing {
		return edgeClose
	}
	return edgeKeep
}

// sendLast sends the last bytes of a response, in the pooled buffer bp:
// on a connection that stays open, they are left to the wait for the
// next request (edgeConn.sendAndRead), which then costs one system call
// less; the exchange is counted and logged before they are out.
func (c *edgeConn) sendLast(last []byte, bp *[]byte) error {
	if len(last) > 0 && c.raw != nil && !c.ex.closing {
		c.pending, c.pendingBuf = last, bp
		return nil
	}
	err := c.send(last)
	c.e.r.buffers.put(bp)
	return err
}

// appendHead appends the response head the client gets: the app's status
// and end-to-end headers, then the router's own.
func (c *edgeConn) appendHead(out []byte, resp *edgeResponse, chunked bool) []byte {
	x := &c.ex
	out = resp.appendHead(out)
	if !resp.hasRequestID {
		out = append(out, "X-Request-Id: "...)
		out = append(out, x.requestID...)
		out = append(out, "\r\n"...)
	}
	if x.setCookie != "" {
		out = append(out, "Set-Cookie: "...)
		out = append(out, x.setCookie...)
		out = append(out, "\r\n"...)
	}
	if chunked {
		out = append(out, "Transfer-Encoding: chunked\r\n"...)
	}
	if x.closing {
		out = append(out, "Connection: close\r\n"...)
	}
	return append(out, "\r\n"...)
}

// relayBody sends out (the head), then length bytes of body, or all of
// it up to the app's close when length is -1, and returns the last bytes
// for sendLast. Bytes are passed on as they come; the head and a body
// already read go in one write.
func (c *edgeConn) relayBody(uc *upstreamConn, length int64, out []byte) ([]byte, error) {
	x := &c.ex
	remaining := length
	if length < 0 {
		remaining = 1<<63 - 1
	}
	for remaining > 0 {
		if uc.br.Buffered() == 0 {
			if err := uc.noDeadline(); err != nil {
				return nil, err
			}
			if len(out) > 0 {
				if err := c.send(out); err != nil {
					return nil, err
				}
				out = out[:0]
			}
		}
		k := int(min(remaining, int64(cap(out)-len(out))))
		m, err := uc.br.Read(out[len(out) : len(out)+k])
		out = out[:len(out)+m]
		remaining -= int64(m)
		x.bytes += int64(m)
		if err == io.EOF && length < 0 {
			break
		}
		if err != nil {
			_ = c.send(out)
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if len(out) == cap(out) {
			if err := c.send(out); err != nil {
				return nil, err
			}
			out = out[:0]
		}
	}
	return out, nil
}

// chunkRoom is the space kept before a chunk's data for its size line.
const chunkRoom = 18

// relayChunked sends out (the head), then body chunk by chunk as it
// comes, then the trailers of the app's chunked body when there are
// some: body is the app's chunked body decoded, or the app's body up to
// its close.
func (c *edgeConn) relayChunked(uc *upstreamConn, out []byte, body io.Reader, trailers bool) error {
	if err := c.send(out); err != nil {
		return err
	}
	if err := uc.noDeadline(); err != nil {
		return err
	}
	x := &c.ex
	buf := out[:cap(out)]
	for {
		m, rerr := body.Read(buf[chunkRoom : len(buf)-2])
		if m > 0 {
			size := strconv.AppendInt(buf[:0:chunkRoom], int64(m), 16)
			size = append(size, '\r', '\n')
			start := chunkRoom - len(size)
			copy(buf[start:], size)
			end := chunkRoom + m
			buf[end], buf[end+1] = '\r', '\n'
			if err := c.send(buf[start : end+2]); err != nil {
				return err
			}
			x.bytes += int64(m)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	last := append(buf[:0], "0\r\n"...)
	if trailers {
		var err error
		if last, err = readTrailers(uc, last); err != nil {
			return err
		}
	}
	return c.send(append(last, "\r\n"...))
}

// readTrailers appends the trailer fields of a chunked body, but the
// hop-by-hop ones, to out.
func readTrailers(uc *upstreamConn, out []byte) ([]byte, error) {
	if p, err := uc.br.Peek(2); err == nil && string(p) == "\r\n" {
		_, _ = uc.br.Discard(2)
		return out, nil
	}
	uc.in.limit = uc.in.n + maxResponseHeaderBytes
	trailer, err := uc.tp.ReadMIMEHeader()
	uc.in.limit = 0
	if err != nil {
		return nil, errors.Join(errMalformedResponse, err)
	}
	for k, vv := range trailer {
		if hopByHopResponseHeader(k) {
			continue
		}
		for _, v := range vv {
			out = append(out, k...)
			out = append(out, ": "...)
			out = append(out, v...)
			out = append(out, "\r\n"...)
		}
	}
	return out, nil
}

// send writes b to the client.
func (c *edgeConn) send(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	_, err := c.conn.Write(b)
	return err
}
