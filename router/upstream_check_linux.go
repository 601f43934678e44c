package router

import (
	"net"
	"syscall"
)

// connPeek looks at a connection's socket without waiting. It is made
// once per connection, so that a look allocates nothing.
type connPeek struct {
	rc     syscall.RawConn // nil: the connection has no socket to look at
	usable bool
	b      [1]byte
	peek   func(fd uintptr) bool
}

func newConnPeek(conn net.Conn) *connPeek {
	p := &connPeek{}
	if sc, ok := conn.(syscall.Conn); ok {
		p.rc, _ = sc.SyscallConn()
	}
	p.peek = func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), p.b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		p.usable = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK
		return true
	}
	return p
}

// usable reports whether an idle connection is still open with nothing to
// read: a peek that does not wait sees the app's FIN (a read of 0), data
// it should not have sent, or an error.
func (p *connPeek) idle() bool {
	if p.rc == nil {
		return true
	}
	p.usable = false
	return p.rc.Read(p.peek) == nil && p.usable
}
