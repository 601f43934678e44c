package router

import (
	"net"
	"time"
)

// deadlineSlack is how far a read deadline may be from the one asked for
// before it is set again: setting one costs a timer update, and a busy
// connection asks for one per request.
const deadlineSlack = time.Second

// readDeadline is a connection's read deadline as it was set last, so
// that a deadline that would move by less than deadlineSlack is not set
// again. Both ends of the edge keep one: the client's connection and
// each connection to an app.
type readDeadline struct {
	conn net.Conn
	at   time.Time // zero: none
}

// near sets the deadline to want, unless the one set is within
// deadlineSlack before it.
func (d *readDeadline) near(want time.Time) error {
	if !d.at.IsZero() && d.at.After(want.Add(-deadlineSlack)) && !d.at.After(want) {
		return nil
	}
	return d.set(want)
}

// set sets the deadline to t; the zero t clears it.
func (d *readDeadline) set(t time.Time) error {
	d.at = t
	return d.conn.SetReadDeadline(t)
}

// clear clears the deadline, if one is set.
func (d *readDeadline) clear() error {
	if d.at.IsZero() {
		return nil
	}
	return d.set(time.Time{})
}

// passed reports whether a deadline is set and has passed at now.
func (d *readDeadline) passed(now time.Time) bool {
	return !d.at.IsZero() && !now.Before(d.at)
}
