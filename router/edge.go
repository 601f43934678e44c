package router

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The edge: the router's own HTTP/1.1 server for its plain listener.
//
// Most requests a router sees are plain: a GET or a small POST with its
// whole head and body in one read, for an app with a healthy instance.
// The edge serves those itself, on one goroutine per connection, from a
// buffer of its own and without building an http.Request: it parses the
// head in place, writes it to the app with the router's forwarding
// headers, and writes the app's response back with one write when it is
// small. Go's net/http server, which costs a background read, a context,
// a header map and several allocations per request, is what kept the
// router at 0.6x nginx's requests per second (docs/router.md).
//
// Everything else is handed off, with the connection, to a net/http
// server that runs the Router as its handler, as the TLS listener does:
// any request the edge does not parse as plain (HTTP/1.0, chunked or large
// bodies, Expect, upgrades, event streams, oversized or malformed heads,
// forged framing), and any request the router answers itself (no app, no
// healthy instance, maintenance, a limit, a held request, /healthz). A
// handoff happens before anything of the request was sent or answered:
// the bytes the edge read are replayed to net/http, which sees the
// connection as new. The connection stays with net/http from then on.

// edgeBufferSize is the edge's read buffer per connection: a request head
// and body that do not fit go to net/http.
const edgeBufferSize = 8 << 10

// Edge serves a Router on a plain TCP listener. Create it with NewEdge;
// it is an http.Server for everything it hands off.
type Edge struct {
	r        *Router
	fallback *http.Server
	handoff  *handoffListener

	mu       sync.Mutex
	ln       net.Listener
	conns    map[*edgeConn]struct{}
	shutting atomic.Bool
	handoffs atomic.Int64   // connections given to net/http
	partials atomic.Int64   // ends of responses the socket did not take at once
	wg       sync.WaitGroup // one per connection goroutine
}

// NewEdge returns the edge for r's plain listener. Requests it hands off
// go to h (r itself when h is nil) through the server NewServer
// configures, with the same limits.
func (r *Router) NewEdge(h http.Handler) *Edge {
	e := &Edge{
		r:        r,
		fallback: r.NewServer(h),
		conns:    map[*edgeConn]struct{}{},
	}
	return e
}

// ErrEdgeClosed is returned by Serve after Shutdown or Close.
var ErrEdgeClosed = errors.New("router: edge closed")

// Serve accepts connections on ln until Shutdown or Close, and returns
// ErrEdgeClosed then, or the listener's error.
func (e *Edge) Serve(ln net.Listener) error {
	e.mu.Lock()
	if e.shutting.Load() || e.ln != nil {
		e.mu.Unlock()
		ln.Close()
		return ErrEdgeClosed
	}
	e.ln = ln
	e.handoff = newHandoffListener(ln.Addr())
	e.mu.Unlock()
	go func() { _ = e.fallback.Serve(e.handoff) }()
	go e.scanWatches()
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if e.shutting.Load() {
				return ErrEdgeClosed
			}
			if retryableAccept(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				e.r.logger.Warn("accept failed; retrying", "error", err, "in", delay.String())
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		c := newEdgeConn(e, conn)
		if !e.track(c) {
			conn.Close()
			return ErrEdgeClosed
		}
		e.wg.Go(c.serve)
	}
}

// retryableAccept reports whether a later Accept may succeed where this
// one failed: out of file descriptors, or a connection reset while it
// waited in the backlog.
func retryableAccept(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() ||
		errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) || errors.Is(err, syscall.ECONNABORTED)
}

// scanWatches starts the hang-up watches that are due, every watchTick,
// until the edge stops accepting.
func (e *Edge) scanWatches() {
	ticker := time.NewTicker(watchTick)
	defer ticker.Stop()
	for range ticker.C {
		e.mu.Lock()
		now := time.Since(edgeEpoch)
		for c := range e.conns {
			c.startWatchIfDue(now)
		}
		e.mu.Unlock()
		if e.shutting.Load() && e.idle() {
			return
		}
	}
}

// idle reports whether no connection is left.
func (e *Edge) idle() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.conns) == 0
}

func (e *Edge) track(c *edgeConn) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.shutting.Load() {
		return false
	}
	e.conns[c] = struct{}{}
	return true
}

func (e *Edge) forget(c *edgeConn) {
	e.mu.Lock()
	delete(e.conns, c)
	e.mu.Unlock()
}

// Shutdown stops accepting, closes idle connections, and waits until the
// requests in flight are answered, handed-off connections included, or
// until ctx is done. A connection ends after the response it is writing,
// which says Connection: close.
func (e *Edge) Shutdown(ctx context.Context) error {
	e.stopAccepting()
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(drainPoll)
		defer ticker.Stop()
		for !e.closeIdle() {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
		e.wg.Wait()
	}()
	err := e.fallback.Shutdown(ctx)
	select {
	case <-done:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Close closes the listener and every connection at once, with the
// connections to apps of the requests in flight, and waits for the edge's
// connections to be done (handed-off ones are net/http's, which does not
// wait).
func (e *Edge) Close() error {
	e.stopAccepting()
	e.mu.Lock()
	for c := range e.conns {
		c.conn.Close()
		if uc := c.upstream.Load(); uc != nil {
			uc.close()
		}
	}
	e.mu.Unlock()
	err := e.fallback.Close()
	e.wg.Wait()
	return err
}

func (e *Edge) stopAccepting() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.shutting.Swap(true) {
		return
	}
	if e.ln != nil {
		e.ln.Close()
		e.handoff.Close()
	}
}

// closeIdle closes the connections waiting for a request and reports
// whether none is left.
func (e *Edge) closeIdle() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for c := range e.conns {
		if c.state.CompareAndSwap(connIdle, connClosed) {
			c.conn.Close()
		}
	}
	return len(e.conns) == 0
}

// handoffListener feeds the connections the edge hands off to the
// fallback http.Server, as if it had accepted them.
type handoffListener struct {
	addr   net.Addr
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newHandoffListener(addr net.Addr) *handoffListener {
	return &handoffListener{addr: addr, conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }

// deliver gives c to the fallback server, or closes it when that server
// has stopped.
func (l *handoffListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.closed:
		c.Close()
	}
}

// replayConn is a connection handed off with the bytes the edge had read
// from it: reads return those first.
type replayConn struct {
	net.Conn
	pending []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
