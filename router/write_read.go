package router

import (
	"os"
	"syscall"
)

// writeRead writes to a socket, then reads from it, under one wait of the
// runtime's poller. Go's own read of a socket tries at once and, when
// nothing has come, waits and tries again; right after a request is
// written to an app, or a response to a client, nothing has come, so
// that first read is a system call for nothing. Through the socket's
// syscall.RawConn the runtime calls step until it returns true: step
// writes, returns false to wait until the socket is readable, then reads.
// The edge uses it for both of its sockets (edgeConn.sendAndRead,
// connReader.writeAndRead).
type writeRead struct {
	out     []byte // to write; what the socket did not take at once is left here
	in      []byte // to read into
	written int
	got     int   // bytes read; 0 with no err: the peer closed
	err     error // of a write or a read
	// afterWrite runs once out is written whole, before the wait; an
	// error from it ends the call.
	afterWrite func() error
	step       func(fd uintptr) bool // run, made once
}

func newWriteRead(afterWrite func() error) *writeRead {
	w := &writeRead{afterWrite: afterWrite}
	w.step = w.run
	return w
}

// do writes out and reads into in on rc. When the socket takes only part
// of out, do returns with the rest in w.out and nothing read: the caller
// finishes the write the usual way.
func (w *writeRead) do(rc syscall.RawConn, out, in []byte) error {
	w.out, w.in, w.written, w.got, w.err = out, in, 0, 0, nil
	err := rc.Read(w.step)
	w.in = nil
	if err != nil {
		return err
	}
	return w.err
}

func (w *writeRead) run(fd uintptr) bool {
	if len(w.out) > 0 {
		for len(w.out) > 0 {
			n, err := syscall.Write(int(fd), w.out)
			if n > 0 {
				w.written += n
				w.out = w.out[n:]
			}
			switch {
			case err == syscall.EINTR:
			case err == syscall.EAGAIN:
				return true
			case err != nil:
				w.err = os.NewSyscallError("write", err)
				return true
			}
		}
		if w.afterWrite != nil {
			if w.err = w.afterWrite(); w.err != nil {
				return true
			}
		}
		return false
	}
	for {
		n, err := syscall.Read(int(fd), w.in)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return false
		case err != nil:
			w.err = os.NewSyscallError("read", err)
		default:
			w.got = n
		}
		return true
	}
}
