package tcpserver

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// What ends a connection, besides the network's: no '\n' in a line's
// first MaxLineBytes; a line, or a reply taken, after IdleTimeout.
var (
	ErrLineTooLong = errors.New("tcpserver: line too long")
	ErrIdleTimeout = errors.New("tcpserver: idle timeout")
)

const (
	readBytes   = 8192                   // a read: 1,600 short requests
	writeBytes  = 4096                   // a write: their replies
	drainWindow = 100 * time.Millisecond // a read, shutting down
	lingerTime  = time.Second            // see close
	closeGrace  = 250 * time.Millisecond // see Server.Close
)

// A Conn is one client's connection, as a handler sees it: what
// Python's StreamRequestHandler gives handle() in self.
type Conn struct {
	Writer     *bufio.Writer // to the client, buffered: wfile
	RemoteAddr net.Addr      // the client's address: client_address
	NetConn    net.Conn      // the connection itself: self.request

	server   *Server
	idle     time.Duration         // the server's IdleTimeout
	maxLine  int                   // the server's MaxLineBytes
	reader   *bufio.Reader         // rfile: what came, not yet read
	readBy   time.Time             // the line's deadline, once needed
	lastRead error                 // the network's last read error
	err      atomic.Pointer[error] // why it ends: the first error
}

func (s *Server) newConn(conn net.Conn) *Conn {
	c := &Conn{RemoteAddr: conn.RemoteAddr(), NetConn: conn, server: s}
	c.idle = cmp.Or(s.IdleTimeout, DefaultIdleTimeout)
	c.maxLine = cmp.Or(s.MaxLineBytes, DefaultMaxLineBytes)
	// Many lines sent at once are answered in few reads and writes.
	c.reader = bufio.NewReaderSize(connReader{c}, max(c.maxLine, readBytes))
	c.Writer = bufio.NewWriterSize(connWriter{c}, writeBytes)
	return c
}

// ReadLine returns the next line, '\n' included, valid until the next
// read; a last line that ends at the client's end of data is a line
// too. The client has IdleTimeout to send it, from this call. If the
// '\n' is not in a line's first MaxLineBytes, they come with
// ErrLineTooLong. Other errors mean no line: io.EOF (the client
// hung up), ErrIdleTimeout, the network's, or ErrServerClosed: after
// Shutdown, once the lines received are answered; after Close, now.
func (c *Conn) ReadLine() ([]byte, error) {
	if c.server.state.Load() == closed {
		return nil, c.fail(ErrServerClosed)
	}
	c.readBy = time.Time{}
	line, err := c.reader.ReadSlice('\n')
	if err == nil && len(line) <= c.maxLine {
		return line, nil
	}
	switch {
	case len(line) > c.maxLine, errors.Is(err, ErrLineTooLong),
		errors.Is(err, bufio.ErrBufferFull):
		return line[:min(len(line), c.maxLine)], c.fail(ErrLineTooLong)
	case errors.Is(err, io.EOF) && len(line) > 0:
		return line, nil
	case errors.Is(err, io.EOF):
		return nil, io.EOF
	case !errors.Is(err, os.ErrDeadlineExceeded):
		return nil, c.fail(err)
	case c.server.state.Load() != serving:
		// Nothing more arrived: every line was answered.
		return nil, c.fail(ErrServerClosed)
	}
	return nil, c.fail(ErrIdleTimeout)
}

// HasLine reports whether a whole line waits in the buffer: a handler
// that answers many lines flushes when none does, so that a batch of
// requests is answered in one write.
func (c *Conn) HasLine() bool {
	waiting, _ := c.reader.Peek(c.reader.Buffered())
	return bytes.IndexByte(waiting, '\n') >= 0
}

// Err is why the connection ends: nil if nothing went wrong, else the
// first error of ReadLine or of a write, other than io.EOF.
func (c *Conn) Err() error {
	if err := c.err.Load(); err != nil {
		return *err
	}
	return nil
}

// fail records err for Err, unless an earlier error is, and returns it.
func (c *Conn) fail(err error) error {
	c.err.CompareAndSwap(nil, &err)
	return err
}

// connReader fills the read buffer, which asks for more only when
// what it holds has no '\n': if that is MaxLineBytes already, the line
// is too long. Before each read from the network it sets a deadline:
// the line's, or a moment from now once the server shuts down.
type connReader struct{ c *Conn }

func (r connReader) Read(p []byte) (int, error) {
	c := r.c
	if c.reader.Size()-len(p) >= c.maxLine {
		return 0, ErrLineTooLong
	}
	if c.readBy.IsZero() {
		c.readBy = time.Now().Add(c.idle)
	}
	// Shutdown and Close set deadlines of their own: if one
	// begins while we set ours, ours may win, so look again.
	for {
		phase := c.server.state.Load()
		if phase == closed {
			return 0, ErrServerClosed
		}
		deadline := c.readBy
		soon := time.Now().Add(drainWindow)
		if phase == shuttingDown && soon.Before(deadline) {
			deadline = soon
		}
		if err := c.NetConn.SetReadDeadline(deadline); err != nil {
			return 0, err
		}
		if c.server.state.Load() == phase {
			break
		}
	}
	n, err := c.NetConn.Read(p)
	c.lastRead = err
	return n, err
}

// connWriter is under Writer. Each write has IdleTimeout (after
// Close, until closeBy): a client that never reads cannot hold its
// handler for ever once the system's buffers are full.
type connWriter struct{ c *Conn }

func (w connWriter) Write(p []byte) (int, error) {
	c, s := w.c, w.c.server
	deadline := time.Now().Add(c.idle)
	if s.state.Load() == closed {
		deadline = s.closeBy
	}
	if err := c.NetConn.SetWriteDeadline(deadline); err != nil {
		return 0, c.fail(err)
	}
	n, err := c.NetConn.Write(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// Close may have moved the deadline while it waited.
		err = ErrIdleTimeout
		if s.state.Load() == closed {
			err = ErrServerClosed
		}
	}
	if err != nil {
		err = c.fail(err)
	}
	return n, err
}

// close ends the connection politely: it sends the end of the data,
// then discards what the client still sends, for up to lingerTime.
// Closing with unread bytes would make the system reset the
// connection, and a reset can destroy the reply before the client
// reads it. After the client's end of data or its idle timeout,
// nothing is left to read.
func (c *Conn) close() {
	defer c.NetConn.Close()
	if errors.Is(c.lastRead, io.EOF) || errors.Is(c.Err(), ErrIdleTimeout) {
		return
	}
	half, ok := c.NetConn.(interface{ CloseWrite() error })
	if !ok || half.CloseWrite() != nil {
		return
	}
	deadline := time.Now().Add(lingerTime)
	if c.server.state.Load() == closed {
		// Two graces more to take the last replies and end.
		deadline = c.server.closeBy.Add(2 * closeGrace)
	}
	if c.NetConn.SetReadDeadline(deadline) == nil {
		_, _ = io.Copy(io.Discard, c.NetConn)
	}
}
