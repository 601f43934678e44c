package router

import (
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// requestBody guards a request body. It cuts the body at the size limit,
// and it bounds every wait for the client's next bytes with a read deadline
// on the client's connection, so that a client sending its body slowly, or
// not at all, cannot hold a connection, a goroutine and a place in the
// app's bulkhead for ever.
//
// The deadline is set as soon as the request arrives, moved forward before
// each read, and cleared only when the body has been read to its end: from
// then on the server watches the connection for the client hanging up, and
// a deadline left in place would end a long response (an event stream)
// when it passed. A body that is not read to its end keeps a deadline
// after the handler returns, so that the server's own read of what is left
// (to reuse the connection) is bounded too; Go's server has no such bound
// without a ReadTimeout, which would also cut long uploads.
type requestBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration

	mu   sync.Mutex
	done bool  // the handler returned: the connection is the server's again
	eof  bool  // the body was read to its end and the deadline cleared
	err  error // the first error reading the body: the client's fault
}

// guardBody puts req's body behind the size limit and the read deadline.
// It returns nil when req has no body. w must be the server's own writer,
// so that passing the size limit also closes the connection after the
// response, and the deadline reaches the connection.
func (r *Router) guardBody(w http.ResponseWriter, req *http.Request) *requestBody {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	body := req.Body
	if r.opts.MaxBodyBytes != Unlimited {
		body = http.MaxBytesReader(w, body, r.opts.MaxBodyBytes)
	}
	b := &requestBody{body: body, rc: http.NewResponseController(w), timeout: r.opts.BodyReadTimeout}
	b.arm()
	req.Body = b
	return b
}

// Read reads from the client within the timeout.
func (b *requestBody) Read(p []byte) (int, error) {
	if !b.arm() {
		return 0, http.ErrBodyReadAfterClose
	}
	n, err := b.body.Read(p)
	if err != nil {
		b.ended(err)
	}
	return n, err
}

// Close closes the body. The deadline stays, to bound the server's read of
// what is left of it.
func (b *requestBody) Close() error { return b.body.Close() }

// arm moves the deadline to a timeout from now, unless the body is over,
// and reports false once the handler has returned.
func (b *requestBody) arm() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return false
	}
	if !b.eof {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	}
	return true
}

// ended records why the body ended. At its end, the deadline is cleared;
// after a timeout, it stays in the past, so that whatever reads the
// connection next fails at once and the server closes it.
func (b *requestBody) ended(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == io.EOF:
		if !b.done && !b.eof {
			b.eof = true
			_ = b.rc.SetReadDeadline(time.Time{})
		}
	case b.err == nil:
		b.err = err
	}
}

// finish is called when the handler returns. A body not read to its end
// gets a fresh deadline for the server's read of the rest. It does nothing
// on a nil body.
func (b *requestBody) finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.eof && b.err == nil {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	}
	b.done = true
}

// failure returns the error that ended the body by the client's fault: a
// body over the limit, a client too slow to send it, a broken chunked
// encoding or a client that hung up half way.
func (b *requestBody) failure() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func isReadTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isBodyTooLarge(err error) bool {
	var tooBig *http.MaxBytesError
	return errors.As(err, &tooBig)
}
