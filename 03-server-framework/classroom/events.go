package classroom

import (
	"errors"
	"fmt"

	"workbook/03-server-framework/command"
	"workbook/03-server-framework/tcpserver"
)

// Guard wraps a handler with what the classroom needs to know of each
// connection, as net/http's TimeoutHandler wraps one: when the handler
// is done, its host's place is free at once, before the last reply
// leaves (a laptop that reads its reply and connects again is within
// its limit), and the screen hears why the connection ended, if it
// ended badly.
func (class *Class) Guard(handler tcpserver.Handler) tcpserver.Handler {
	return tcpserver.HandlerFunc(func(c *tcpserver.Conn) {
		handler.Handle(c)
		if student, ok := c.NetConn.(*studentConn); ok {
			student.freePlace()
		}
		// Flushed here rather than by the server, so that a
		// reply nobody took is counted as an ending too.
		_ = c.Writer.Flush()
		if why := class.whyEnded(c.Err()); why != "" {
			class.screen.ended(c.RemoteAddr, why)
		}
	})
}

// whyEnded says why a connection ended, in the teacher's words,
// naming the flag that decides it; "" when it ended normally, or
// because the server stops.
func (class *Class) whyEnded(err error) string {
	switch {
	case err == nil, errors.Is(err, tcpserver.ErrServerClosed):
		return ""
	case errors.Is(err, tcpserver.ErrIdleTimeout):
		return fmt.Sprintf("ended: no line sent, or no reply taken, "+
			"for %v (-idle-timeout)", class.IdleTimeout)
	case errors.Is(err, tcpserver.ErrLineTooLong):
		return fmt.Sprintf("ended: no newline within the first %s bytes "+
			"of a line (-max-line-bytes)", thousands(int64(class.MaxLineBytes)))
	case isReset(err):
		return "ended: reset by the client"
	}
	return "ended: " + command.Reason(err).Error()
}

// whyRefused is the screen's words for a connection over its host's
// limit.
func (class *Class) whyRefused() string {
	return fmt.Sprintf("closed at once: over the %d allowed per host "+
		"(-max-conns-per-host)", class.MaxConnsPerHost)
}
