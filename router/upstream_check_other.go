//go:build !linux

package router

import "net"

// idleConnUsable cannot look at the socket on this system; a request on a
// connection the app closed fails with a 502 unless it may be sent again.
func idleConnUsable(net.Conn) bool { return true }
