//go:build !linux

package router

import "net"

// connPeek cannot look at the socket on this system: a request on a
// connection the app closed while idle fails with a 502 unless it may be
// sent again.
type connPeek struct{}

func newConnPeek(net.Conn) *connPeek { return &connPeek{} }

func (*connPeek) idle() bool { return true }
