package tcpserver

import (
	"errors"
	"net"
)

// ErrIdleTimeout is why a connection ends when its client took longer
// than IdleTimeout to send a line, or to take a reply.
var ErrIdleTimeout = errors.New("tcpserver: idle timeout")

// An EventKind says what happened to a connection.
type EventKind int

const (
	// Refused: the client's host already had MaxConnsPerHost
	// connections; this one was accepted and closed at once.
	Refused EventKind = iota + 1
	// Ended: a connection ended. Event.Err says why.
	Ended
)

// String names the kind, for a screen or a log.
func (k EventKind) String() string {
	switch k {
	case Refused:
		return "refused"
	case Ended:
		return "ended"
	}
	return "unknown event"
}

// An Event is what Server.OnEvent hears about one connection.
type Event struct {
	Kind EventKind
	// Remote is the client's address.
	Remote net.Addr
	// Err says why a connection Ended: nil when it ended normally
	// (the client closed it, or the handler was done with it),
	// ErrIdleTimeout, ErrLineTooLong, ErrServerClosed, or the
	// network's error, such as a reset. Nil for Refused.
	Err error
}
