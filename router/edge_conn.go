package router

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// States of an edge connection, for Shutdown.
const (
	connActive int32 = iota // reading or answering a request
	connIdle                // waiting for the next request
	connClosed              // closed by Shutdown while idle
)

// watchAfter is how long an exchange runs before the edge starts watching
// its client for a hang-up. Quick requests, nearly all of them, never pay
// for the watch; the scan that starts watches runs every watchTick.
const (
	watchAfter = 50 * time.Millisecond
	watchTick  = watchAfter / 2
)

// States of the hang-up watch of a connection.
const (
	watchOff   int32 = iota
	watchArmed       // an exchange runs since armedAt
	watchOn          // the watch goroutine runs
)

// edgeEpoch is the origin of armedAt, so that it is monotonic.
var edgeEpoch = time.Now()

// edgeConn is one client connection on the edge.
type edgeConn struct {
	e        *Edge
	conn     net.Conn
	buf      []byte // the read buffer; unread bytes are buf[r:w]
	r, w     int
	headLen  int // of the request being served, at buf[r:]
	deadline readDeadline
	remoteIP string // for X-Forwarded-For
	state    atomic.Int32
	req      edgeRequest
	ex       edgeExchange
	resp     edgeResponse

	// The end of the last response, left to the wait for the next
	// request (sendAndRead), and the pooled buffer it is in.
	raw        syscall.RawConn // nil: no socket to work with
	wr         *writeRead
	pending    []byte
	pendingBuf *[]byte

	// The app of the last request's host, while the custom domains are
	// those of lastDomains.
	lastHost, lastApp string
	lastDomains       *domainTable

	// The hang-up watch of the exchange in progress (watch).
	watchState atomic.Int32
	armedAt    atomic.Int64 // since edgeEpoch
	watchWG    sync.WaitGroup
	watchByte  [1]byte
	watchGot   bool                         // the watch read a byte: it belongs to the next request
	gone       atomic.Bool                  // the watch saw the client hang up
	upstream   atomic.Pointer[upstreamConn] // closed when the client hangs up
}

func newEdgeConn(e *Edge, conn net.Conn) *edgeConn {
	c := &edgeConn{e: e, conn: conn, buf: make([]byte, edgeBufferSize), deadline: readDeadline{conn: conn}}
	if sc, ok := conn.(syscall.Conn); ok {
		c.raw, _ = sc.SyscallConn()
	}
	c.wr = newWriteRead(c.responseSent)
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		c.remoteIP = a.IP.String()
	} else if host, _, err := net.SplitHostPort(conn.RemoteAddr().String()); err == nil {
		c.remoteIP = host
	}
	return c
}

// serve reads and answers requests until the client leaves, a request
// asks to close, or a request goes to net/http with the connection.
func (c *edgeConn) serve() {
	handedOff := false
	defer func() {
		c.releasePending()
		c.e.forget(c)
		if !handedOff {
			c.conn.Close()
		}
	}()
	for {
		n, ok := c.readHead()
		if !ok {
			return
		}
		if n < 0 || !parseEdgeRequest(c.buf[c.r:c.r+n], &c.req) || !c.readBody(n) {
			c.handOff()
			handedOff = true
			return
		}
		c.headLen = n
		switch c.e.r.serveEdge(c) {
		case edgeHandOff:
			c.handOff()
			handedOff = true
			return
		case edgeClose:
			return
		}
		c.r += n + int(c.req.contentLength)
		if c.e.shutting.Load() {
			return
		}
	}
}

// readHead reads until buf holds a whole request head at buf[r:], and
// returns its length. It returns -1 for a head the edge cannot hold (it
// goes to net/http with what was read), and false when the connection is
// to close: the client left, was idle too long, or trickled its head.
func (c *edgeConn) readHead() (int, bool) {
	if c.r == c.w {
		c.r, c.w = 0, 0
	}
	if c.watchGot {
		c.watchGot = false
		if c.w == len(c.buf) {
			c.compact()
		}
		c.buf[c.w] = c.watchByte[0]
		c.w++
	}
	if c.pending != nil && c.r != c.w && !c.flushPending() {
		return 0, false
	}
	var started time.Time
	for {
		// A head with bare LF line ends is found too, and handed off:
		// Go's server accepts them.
		if n := headLength(c.buf[c.r:c.w]); n > 0 {
			return n, true
		}
		if c.w == len(c.buf) {
			if c.r == 0 {
				return -1, true
			}
			c.compact()
		}
		opts := &c.e.r.opts
		now := time.Now()
		if c.r == c.w {
			// With a response pending, the connection is idle once
			// it is out (responseSent).
			if c.pending == nil && !c.setIdle() {
				return 0, false
			}
			_ = c.deadline.near(now.Add(opts.IdleTimeout))
		} else if started.IsZero() {
			started = now
			_ = c.deadline.set(now.Add(opts.ReadHeaderTimeout))
		}
		var n int
		var err error
		if c.pending != nil {
			n, err = c.sendAndRead()
		} else {
			n, err = c.conn.Read(c.buf[c.w:])
		}
		c.w += n
		if n > 0 && !c.state.CompareAndSwap(connIdle, connActive) && c.state.Load() == connClosed {
			return 0, false
		}
		if err != nil {
			return 0, false
		}
	}
}

// sendAndRead writes the pending end of the last response, then waits
// for the next request and reads what came of it, under one wait
// (writeRead). A write the socket does not take whole at once is finished
// the usual way.
func (c *edgeConn) sendAndRead() (int, error) {
	err := c.wr.do(c.raw, c.pending, c.buf[c.w:])
	if len(c.wr.out) > 0 {
		c.pending = c.wr.out
		if err != nil {
			c.releasePending()
			return 0, err
		}
		c.e.partials.Add(1)
		if !c.flushPending() || !c.setIdle() {
			return 0, net.ErrClosed
		}
		return c.conn.Read(c.buf[c.w:])
	}
	switch {
	case err != nil:
		return 0, err
	case c.wr.got == 0:
		return 0, io.EOF
	}
	return c.wr.got, nil
}

// responseSent runs once the pending end of a response is out: the
// connection is idle until the next request, unless Shutdown is under way.
func (c *edgeConn) responseSent() error {
	c.releasePending()
	if !c.setIdle() {
		return net.ErrClosed
	}
	return nil
}

// flushPending writes the pending end of the last response the usual way.
func (c *edgeConn) flushPending() bool {
	err := c.send(c.pending)
	c.releasePending()
	return err == nil
}

func (c *edgeConn) releasePending() {
	if c.pendingBuf != nil {
		c.e.r.buffers.put(c.pendingBuf)
	}
	c.pending, c.pendingBuf = nil, nil
}

// setIdle marks the connection idle, unless Shutdown is under way.
func (c *edgeConn) setIdle() bool {
	c.state.Store(connIdle)
	if c.e.shutting.Load() && c.state.CompareAndSwap(connIdle, connClosed) {
		return false
	}
	return true
}

func (c *edgeConn) compact() {
	c.w = copy(c.buf, c.buf[c.r:c.w])
	c.r = 0
}

// readBody makes sure the body of the request whose head is n bytes is in
// buf too, reading what is missing when it fits, within the body read
// timeout. It reports false when it does not fit or does not come: net/http
// then reads it, with its own limits and answers.
func (c *edgeConn) readBody(n int) bool {
	need := c.r + n + int(c.req.contentLength)
	if c.req.contentLength > maxLeanBody || need > len(c.buf) {
		return false
	}
	if need <= c.w {
		return true
	}
	if c.r > 0 {
		need -= c.r
		c.compact()
		// The request's slices point into buf: parse it again where it
		// now is.
		if !parseEdgeRequest(c.buf[:n], &c.req) {
			return false
		}
	}
	for c.w < need {
		_ = c.deadline.set(time.Now().Add(c.e.r.opts.BodyReadTimeout))
		m, err := c.conn.Read(c.buf[c.w:])
		c.w += m
		if err != nil {
			return false
		}
	}
	return true
}

// handOff gives the connection, with what was read of it, to net/http.
func (c *edgeConn) handOff() {
	c.e.handoffs.Add(1)
	_ = c.deadline.set(time.Time{})
	c.e.handoff.deliver(&replayConn{Conn: c.conn, pending: c.buf[c.r:c.w]})
}

// startWatch arms the hang-up watch of an exchange whose upstream
// connection is uc: once it has run watchAfter, the edge's scan starts a
// read of the client's connection that, when it sees it closed, closes
// uc, which ends the exchange. Every startWatch is followed by one
// stopWatch.
func (c *edgeConn) startWatch(uc *upstreamConn) {
	c.gone.Store(false)
	c.upstream.Store(uc)
	c.armedAt.Store(int64(c.ex.start.Sub(edgeEpoch)))
	c.watchState.Store(watchArmed)
}

// startWatchIfDue starts the watch of an exchange armed for watchAfter or
// more. It is called by the scan, with the edge's lock held.
func (c *edgeConn) startWatchIfDue(now time.Duration) {
	if c.watchState.Load() != watchArmed || now-time.Duration(c.armedAt.Load()) < watchAfter {
		return
	}
	// Add before the state says on: stopWatch, which waits, sees the
	// state only after.
	c.watchWG.Add(1)
	if !c.watchState.CompareAndSwap(watchArmed, watchOn) {
		c.watchWG.Done()
		return
	}
	go c.watch()
}

// watch runs on its own goroutine once an exchange has run watchAfter.
// The request is read whole by then, so nothing else reads the client's
// connection; a byte it reads is the start of the next request.
func (c *edgeConn) watch() {
	defer c.watchWG.Done()
	n, err := c.conn.Read(c.watchByte[:])
	switch {
	case n == 1:
		c.watchGot = true
	case err != nil && !isTimeout(err):
		c.gone.Store(true)
		if uc := c.upstream.Load(); uc != nil {
			uc.close()
		}
	}
}

// stopWatch ends the watch and waits for it, and reports whether the
// client is still there.
func (c *edgeConn) stopWatch() bool {
	c.upstream.Store(nil)
	if c.watchState.CompareAndSwap(watchArmed, watchOff) {
		return true
	}
	// The watch is reading, or has read: wake it with a deadline in the
	// past, which the next read replaces.
	_ = c.deadline.set(aLongTimeAgo)
	c.watchWG.Wait()
	c.watchState.Store(watchOff)
	return !c.gone.Load()
}

var aLongTimeAgo = time.Unix(1, 0)

// errClientGone is the error of an exchange whose client hung up.
var errClientGone = errors.New("client closed the connection")
