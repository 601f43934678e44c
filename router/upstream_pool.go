package router

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/textproto"
	"sync"
	"syscall"
	"time"
)

// upstreamBufferSize is the size of the read and write buffers of one
// connection to a target, as Go's Transport has.
const upstreamBufferSize = 4 << 10

// upstreamConn is one keep-alive connection to a target with its buffers.
// It belongs to one request at a time: taken from its target's pool,
// used on the handler's goroutine, and put back only when the exchange
// left it at the start of a message.
type upstreamConn struct {
	conn     net.Conn
	in       connReader // between conn and br: counts and limits reads
	out      connWriter // between bw and conn: counts writes
	br       *bufio.Reader
	bw       *bufio.Writer
	tp       textproto.Reader
	peek     *connPeek
	reused   bool      // it served a request before this one
	idleAt   time.Time // when it went back to the pool
	deadline readDeadline
}

func newUpstreamConn(conn net.Conn) *upstreamConn {
	c := &upstreamConn{conn: conn, deadline: readDeadline{conn: conn}}
	c.in.conn, c.out.conn = conn, conn
	c.in.out = &c.out
	if sc, ok := conn.(syscall.Conn); ok {
		c.in.raw, _ = sc.SyscallConn()
	}
	c.in.wr = newWriteRead(nil)
	c.br = bufio.NewReaderSize(&c.in, upstreamBufferSize)
	c.bw = bufio.NewWriterSize(&c.out, upstreamBufferSize)
	c.tp.R = c.br
	c.peek = newConnPeek(conn)
	return c
}

// begin resets the counts of bytes read and written for a new request.
func (c *upstreamConn) begin() { c.in.n, c.out.n = 0, 0 }

func (c *upstreamConn) close() { _ = c.conn.Close() }

// flushWithRead flushes the request in bw, but leaves its last write to
// the read of the response, which then costs one system call less (see
// writeRead).
func (c *upstreamConn) flushWithRead() error {
	if c.in.raw != nil {
		c.out.deferNext = true
	}
	err := c.bw.Flush()
	c.out.deferNext = false
	return err
}

// awaitHead sets the read deadline for a response's head, d from now,
// unless the one set is within deadlineSlack of it.
func (c *upstreamConn) awaitHead(now time.Time, d time.Duration) error {
	return c.deadline.near(now.Add(d))
}

// noDeadline clears the read deadline, before reads that may take as long
// as a response does.
func (c *upstreamConn) noDeadline() error { return c.deadline.clear() }

// connReader counts the bytes read from the connection, and while limit
// is positive refuses to read more than limit bytes in all: that bounds a
// response's header block.
type connReader struct {
	conn  net.Conn
	n     int64 // bytes read since begin
	limit int64 // 0: none

	// The write left to the next read (flushWithRead), and the state of
	// the read that does it.
	out *connWriter
	raw syscall.RawConn // nil: no socket to work with
	wr  *writeRead
}

func (r *connReader) Read(p []byte) (int, error) {
	if r.limit > 0 {
		if r.n >= r.limit {
			return 0, errResponseHeaderTooLarge
		}
		p = p[:min(int64(len(p)), r.limit-r.n)]
	}
	if r.out.deferred != nil {
		return r.writeAndRead(p)
	}
	n, err := r.conn.Read(p)
	r.n += int64(n)
	return n, err
}

// writeAndRead writes the deferred request, then waits for the response
// and reads it into p, under one wait (writeRead). A write the socket
// does not take whole at once is finished the usual way.
func (r *connReader) writeAndRead(p []byte) (int, error) {
	err := r.wr.do(r.raw, r.out.deferred, p)
	r.out.n += int64(r.wr.written)
	left := r.wr.out
	r.out.deferred = nil
	if err != nil {
		return 0, err
	}
	if len(left) > 0 {
		n, err := r.out.conn.Write(left)
		r.out.n += int64(n)
		if err != nil {
			return 0, err
		}
		return r.Read(p)
	}
	r.n += int64(r.wr.got)
	if r.wr.got == 0 {
		return 0, io.EOF
	}
	return r.wr.got, nil
}

// connWriter counts the bytes written to the connection, so that a
// request of which nothing was written can be sent again.
type connWriter struct {
	conn net.Conn
	n    int64 // bytes written since begin
	// deferNext leaves the next write to the next read: deferred is kept
	// (it is the writer's buffer, untouched until the read).
	deferNext bool
	deferred  []byte
}

func (w *connWriter) Write(p []byte) (int, error) {
	if w.deferNext {
		w.deferNext, w.deferred = false, p
		return len(p), nil
	}
	n, err := w.conn.Write(p)
	w.n += int64(n)
	return n, err
}

// connPool holds the idle connections to one target, most recently used
// last. Connections idle longer than idleConnTimeout are closed by a timer
// that runs only while the pool holds some.
type connPool struct {
	mu     sync.Mutex
	idle   []*upstreamConn
	sweep  *time.Timer // nil while idle is empty
	closed bool        // the target left the table
}

// get returns the most recently used idle connection, or nil.
func (p *connPool) get() *upstreamConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	c := p.idle[n-1]
	p.idle[n-1] = nil
	p.idle = p.idle[:n-1]
	c.reused = true
	return c
}

// put keeps c for the next request, or closes it when the pool is closed
// or full.
func (p *connPool) put(c *upstreamConn) {
	c.idleAt = time.Now()
	p.mu.Lock()
	if p.closed || len(p.idle) >= maxIdleConnsPerHost {
		p.mu.Unlock()
		c.close()
		return
	}
	p.idle = append(p.idle, c)
	if p.sweep == nil {
		p.sweep = time.AfterFunc(idleConnTimeout, p.expire)
	}
	p.mu.Unlock()
}

// expire closes the connections idle for idleConnTimeout or more, and
// comes back when the oldest of the others reaches it.
func (p *connPool) expire() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	n := 0
	for n < len(p.idle) && now.Sub(p.idle[n].idleAt) >= idleConnTimeout {
		p.idle[n].close()
		n++
	}
	p.idle = append(p.idle[:0], p.idle[n:]...)
	clear(p.idle[len(p.idle):cap(p.idle)])
	if len(p.idle) == 0 {
		p.sweep = nil
		return
	}
	p.sweep.Reset(idleConnTimeout - now.Sub(p.idle[0].idleAt))
}

// closeIdle closes the idle connections; with final, the pool keeps none
// from now on.
func (p *connPool) closeIdle(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.idle {
		c.close()
	}
	clear(p.idle)
	p.idle = p.idle[:0]
	if p.sweep != nil {
		p.sweep.Stop()
		p.sweep = nil
	}
	p.closed = p.closed || final
}

// upstream opens connections to targets for the router's own HTTP/1.1
// client (lean_proxy.go).
type upstream struct {
	dialer        net.Dialer
	headerTimeout time.Duration
	buffers       *bufferPool
}

func newUpstream(o Options, buffers *bufferPool) *upstream {
	return &upstream{
		dialer:        net.Dialer{Timeout: o.DialTimeout, KeepAlive: tcpKeepAlive},
		headerTimeout: o.ResponseHeaderTimeout,
		buffers:       buffers,
	}
}

// lookAfter is how long a connection must have been idle before connect
// looks at it. Under load a connection goes back to the pool and out again
// within microseconds, too soon for an app to have closed it (apps close
// idle connections after seconds) or sent anything unasked; the look
// would cost a system call per request for nothing.
const lookAfter = time.Millisecond

// connect returns an idle connection to t, or a new one. An idle
// connection is used only if the app has neither closed it nor sent
// anything on it while it was idle: bytes the app sent unasked would be
// read as the response to the next request. The look costs a system call
// that does not wait, made once the connection has been idle lookAfter;
// Go's Transport keeps a goroutine reading each idle connection instead,
// and nginx an event.
func (u *upstream) connect(ctx context.Context, t *target) (*upstreamConn, error) {
	for {
		c := t.conns.get()
		if c == nil {
			return u.dial(ctx, t)
		}
		if c.br.Buffered() > 0 || !c.usable() {
			c.close()
			continue
		}
		return c, nil
	}
}

// usable reports whether an idle connection may carry a request.
func (c *upstreamConn) usable() bool {
	now := time.Now()
	if now.Sub(c.idleAt) < lookAfter {
		return true
	}
	if c.deadline.passed(now) && c.noDeadline() != nil {
		return false
	}
	return c.peek.idle()
}

// dial opens a new connection to t. Its errors are *net.OpError with Op
// "dial", which isConnectionError recognizes.
func (u *upstream) dial(ctx context.Context, t *target) (*upstreamConn, error) {
	conn, err := u.dialer.DialContext(ctx, "tcp", t.inst.Addr)
	if err != nil {
		return nil, err
	}
	return newUpstreamConn(conn), nil
}
