package classroom

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"

	"workbook/03-server-framework/tcpserver"
	"workbook/prime"
)

// answerEach is chapter 04's handler, for these tests: every line of
// the connection answered, in order.
type answerEach struct{ class *Class }

func (h answerEach) Handle(c *tcpserver.Conn) {
	for {
		line, err := c.ReadLine()
		tooLong := errors.Is(err, tcpserver.ErrLineTooLong)
		if err != nil && !tooLong {
			return
		}
		verdict := prime.Invalid
		if !tooLong {
			if verdict, err = h.class.Judge(c, line); err != nil {
				return
			}
		}
		h.class.Record(c, line, verdict)
		if _, err := c.Writer.Write(verdict.Reply()); err != nil || tooLong {
			return
		}
		if !c.HasLine() && c.Writer.Flush() != nil {
			return
		}
	}
}

// serveEach is chapter 04's two lines, for these tests.
func serveEach(class *Class) error {
	server := &tcpserver.Server{
		Handler:      class.Guard(answerEach{class}),
		IdleTimeout:  class.IdleTimeout,
		MaxLineBytes: class.MaxLineBytes,
		ErrorLog:     class.ErrorLog,
	}
	class.StopOnCtrlC(server)
	return server.Serve(class.Listener)
}

// runServer is chapter 04's server command, for these tests.
func runServer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return ServerCommand(serveEach)(ctx, args, stdout, stderr)
}

// testClass is a class for tests that record requests without a
// network: its screen, its log (nil for none), the defaults.
func testClass(screen *Screen, requestLog *RequestLog) *Class {
	show := screen != nil
	if !show {
		screen = ShowEverything(io.Discard)
	}
	return &Class{
		Settings: Defaults(),
		screen:   screen,
		show:     show,
		log:      requestLog,
		turns:    newTurns(),
		stopping: make(chan struct{}),
	}
}

// addrConn is a connection that is only an address, to record
// requests as if they came from it.
type addrConn struct {
	net.Conn
	addr net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.addr }

// student is a connection from addr that the class did not accept:
// what it records is logged at once.
func (class *Class) student(addr string) *studentConn {
	addrPort := netip.MustParseAddrPort(addr)
	conn := addrConn{addr: net.TCPAddrFromAddrPort(addrPort)}
	return class.newStudentConn(conn, addrPort.Addr(), nil)
}
