package tcpserver

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"time"
)

// ErrLineTooLong is what Conn.ReadLine returns when MaxLineBytes
// arrived without a '\n'.
var ErrLineTooLong = errors.New("tcpserver: line too long")

// lingerTime is how long a closing connection keeps reading, and
// discarding, what the client still sends (see close).
const lingerTime = time.Second

// A Conn is one client's connection, as a handler sees it.
type Conn struct {
	// Writer writes to the client, buffered: Python's wfile. The
	// server flushes it when the handler returns; a handler that
	// answers many requests flushes it itself.
	Writer *bufio.Writer

	// RemoteAddr is the client's address: Python's client_address.
	RemoteAddr net.Addr

	reader      *bufio.Reader // MaxLineBytes long: Python's rfile
	netConn     net.Conn
	server      *Server
	idleTimeout time.Duration
}

func (s *Server) newConn(conn net.Conn) *Conn {
	c := &Conn{
		RemoteAddr:  conn.RemoteAddr(),
		netConn:     conn,
		server:      s,
		idleTimeout: orDefault(s.IdleTimeout, defaultIdleTimeout),
	}
	maxLine := orDefault(s.MaxLineBytes, defaultMaxLineBytes)
	c.reader = bufio.NewReaderSize(conn, maxLine)
	c.Writer = bufio.NewWriter(deadlineWriter{c})
	return c
}

// ReadLine returns the next line, '\n' included, waiting at most
// IdleTimeout for it. The line is valid until the next read.
//
// A line longer than MaxLineBytes comes back cut to MaxLineBytes,
// with ErrLineTooLong. A last line that ends at EOF without '\n' is
// returned as a line. Otherwise an error means there is no line to
// answer: io.EOF when the client has hung up, os.ErrDeadlineExceeded
// when it was silent too long or the server is shutting down.
func (c *Conn) ReadLine() ([]byte, error) {
	if err := c.armReadDeadline(); err != nil {
		return nil, err
	}
	line, err := c.reader.ReadSlice('\n')
	switch {
	case err == nil:
		return line, nil
	case errors.Is(err, bufio.ErrBufferFull):
		return line, ErrLineTooLong
	case errors.Is(err, io.EOF) && len(line) > 0:
		return line, nil
	}
	return nil, err
}

// HasLine reports whether a whole line has arrived and waits in the
// buffer, so that ReadLine returns it without waiting. A handler that
// answers many lines flushes its replies when it has none: a batch
// of requests is answered with one write.
func (c *Conn) HasLine() bool {
	buffered, err := c.reader.Peek(c.reader.Buffered())
	if err != nil {
		return false
	}
	return bytes.IndexByte(buffered, '\n') >= 0
}

// armReadDeadline gives the next read IdleTimeout to complete, or
// none at all if the server is shutting down.
func (c *Conn) armReadDeadline() error {
	deadline := time.Now().Add(c.idleTimeout)
	if err := c.netConn.SetReadDeadline(deadline); err != nil {
		return err
	}
	// Shutdown may have woken this connection between the moment
	// it began and our deadline: check again, after setting it.
	if c.server.isClosing() {
		c.wake()
	}
	return nil
}

// wake is where Shutdown ends a read that is waiting for a request.
// Lines the server has already received are still read from the
// buffer.
func (c *Conn) wake() {
	// An error here means the connection is already closed,
	// which is what we want anyway.
	_ = c.netConn.SetReadDeadline(time.Now())
}

// close ends the connection politely. It sends the end of the data
// first, then reads what the client may still be sending for up to a
// second before closing. Closing with unread bytes would make the
// system reset the connection, and the reset can destroy the reply
// before the client reads it (a client that sent a line too long,
// for one).
func (c *Conn) close() {
	defer c.netConn.Close()
	type closeWriter interface{ CloseWrite() error }
	half, ok := c.netConn.(closeWriter)
	if !ok {
		return
	}
	if err := half.CloseWrite(); err != nil {
		return
	}
	deadline := time.Now().Add(lingerTime)
	if err := c.netConn.SetReadDeadline(deadline); err != nil {
		return
	}
	// Drained to io.Discard: no memory is kept.
	_, _ = io.Copy(io.Discard, c.netConn)
}

// Share runs work, a heavy computation for this connection, when the
// server's turn-taking lets it: at most a few heavy works run at once,
// one host after another, so that light requests always find a free
// processor and one host's flood of heavy work only slows that host.
// It returns ErrServerClosed, without running work, when the server
// stops answering (its shutdown ran out of time) before work's turn
// came.
func (c *Conn) Share(work func()) error {
	work()
	return nil
}

// deadlineWriter gives each write IdleTimeout to complete, so that a
// client that never reads its replies cannot block its handler
// forever once the system's buffers are full.
type deadlineWriter struct {
	c *Conn
}

func (w deadlineWriter) Write(p []byte) (int, error) {
	deadline := time.Now().Add(w.c.idleTimeout)
	if err := w.c.netConn.SetWriteDeadline(deadline); err != nil {
		return 0, err
	}
	return w.c.netConn.Write(p)
}
