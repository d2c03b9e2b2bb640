package tcpserver

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"time"
)

// ErrLineTooLong is what Conn.ReadLine returns when MaxLineBytes
// arrived without a '\n'.
var ErrLineTooLong = errors.New("tcpserver: line too long")

const (
	// lingerTime is how long a closing connection keeps reading,
	// and discarding, what the client still sends (see close).
	lingerTime = time.Second

	// drainWindow is how long a read may wait for more of the
	// client's data once the server is shutting down. What has
	// already arrived is read at once: a read whose deadline is
	// still ahead asks the system first, and only then waits.
	drainWindow = 100 * time.Millisecond

	// firstBufferBytes is the read buffer a connection starts
	// with: room for any number's line, so that an idle
	// connection stays small.
	firstBufferBytes = 256

	// readAheadBytes is as far as the buffer grows for a client
	// that sends many lines at once: fewer reads for a pipelined
	// batch.
	readAheadBytes = 4096

	// writeBufferBytes is the reply buffer: 256 two-byte replies
	// leave in one write.
	writeBufferBytes = 512
)

// A Conn is one client's connection, as a handler sees it.
type Conn struct {
	// Writer writes to the client, buffered: Python's wfile. The
	// server flushes it when the handler returns; a handler that
	// answers many requests flushes it itself.
	Writer *bufio.Writer

	// RemoteAddr is the client's address: Python's client_address.
	RemoteAddr net.Addr

	netConn     net.Conn
	server      *Server
	host        string // the client's IP: whose turn, whose count
	placeFreed  bool   // its host's place is given back (under Server.mu)
	idleTimeout time.Duration
	maxLine     int

	// The read buffer: buffer[start:end] has arrived and is not
	// yet returned. It starts small and grows only as needed.
	buffer     []byte
	start, end int
	readFilled bool // the last read filled the buffer: more may wait

	// lastRead is the last read's error: nothing is left unread
	// after io.EOF or ErrIdleTimeout, so close need not linger.
	lastRead error

	mu     sync.Mutex
	ending error // why the connection ends: the first error seen
}

func (s *Server) newConn(conn net.Conn, host string) *Conn {
	c := &Conn{
		RemoteAddr:  conn.RemoteAddr(),
		netConn:     conn,
		server:      s,
		host:        host,
		idleTimeout: orDefault(s.IdleTimeout, defaultIdleTimeout),
		maxLine:     min(orDefault(s.MaxLineBytes, defaultMaxLineBytes), MaxLineLimit),
	}
	c.Writer = bufio.NewWriterSize(deadlineWriter{c}, writeBufferBytes)
	return c
}

// ReadLine returns the next line, '\n' included. The client has
// IdleTimeout to send it, counted from this call. The line is valid
// until the next read.
//
// A line longer than MaxLineBytes comes back cut to MaxLineBytes,
// with ErrLineTooLong. A last line that ends at EOF without '\n' is
// returned as a line. Otherwise an error means there is no line to
// answer: io.EOF when the client has hung up, ErrIdleTimeout when it
// took too long, ErrServerClosed when the server is shutting down and
// has answered every line that had arrived, or the network's error.
func (c *Conn) ReadLine() ([]byte, error) {
	line, err := c.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		c.endsWith(err)
	}
	return line, err
}

func (c *Conn) readLine() ([]byte, error) {
	deadline := time.Now().Add(c.idleTimeout)
	for {
		// A line that has already arrived is returned, even
		// while the server shuts down, unless it has stopped
		// answering.
		if c.server.isStopping() {
			return nil, ErrServerClosed
		}
		if line, ok, err := c.nextLine(); ok {
			return line, err
		}

		// More must arrive. While the server shuts down, wait
		// only a moment: what has already arrived is read at
		// once, and then there is nothing more to answer.
		draining := c.server.isClosing()
		readBy := deadline
		if draining {
			readBy = earliest(deadline, time.Now().Add(drainWindow))
		}
		if err := c.netConn.SetReadDeadline(readBy); err != nil {
			return nil, err
		}
		// Shutdown may have begun after we looked, and set its
		// own deadline before ours: look again.
		if !draining && c.server.isClosing() {
			continue
		}

		err := c.fill()
		c.lastRead = err
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF):
			// The client has hung up: a last line without
			// '\n' is still a line.
			if c.end > c.start {
				line := c.buffer[c.start:c.end]
				c.start = c.end
				return line, nil
			}
			return nil, io.EOF
		case !errors.Is(err, os.ErrDeadlineExceeded):
			return nil, err
		case !time.Now().Before(deadline):
			c.lastRead = ErrIdleTimeout
			return nil, ErrIdleTimeout
		case draining:
			// The server is shutting down and nothing more
			// arrived: every line received was answered.
			return nil, ErrServerClosed
		}
		// Shutdown woke a read that waited for the client:
		// try once more, the way a shutdown reads.
	}
}

// nextLine returns the line at the head of the buffer, if a whole one
// is there, or a line too long. ok is false when more must be read.
func (c *Conn) nextLine() (line []byte, ok bool, err error) {
	waiting := c.buffer[c.start:c.end]
	limit := min(len(waiting), c.maxLine)
	if i := bytes.IndexByte(waiting[:limit], '\n'); i >= 0 {
		c.start += i + 1
		return waiting[:i+1], true, nil
	}
	if len(waiting) >= c.maxLine {
		c.start += c.maxLine
		return waiting[:c.maxLine], true, ErrLineTooLong
	}
	return nil, false, nil
}

// fill reads once into the buffer, after making room. The buffer
// starts small, and grows, doubling, only for a line longer than it,
// up to MaxLineBytes, or for a client that sends lines faster than
// they are answered (the last read filled it), up to readAheadBytes:
// an idle connection, or one that sends a number at a time, never
// holds more than it started with.
func (c *Conn) fill() error {
	// Move what is left, part of a line, to the front.
	if c.start > 0 {
		c.end = copy(c.buffer, c.buffer[c.start:c.end])
		c.start = 0
	}
	lineNeedsMore := c.end == len(c.buffer)
	if lineNeedsMore || (c.readFilled && len(c.buffer) < readAheadBytes) {
		limit := c.maxLine
		if !lineNeedsMore {
			limit = readAheadBytes
		}
		size := min(max(firstBufferBytes, 2*len(c.buffer)), limit)
		grown := make([]byte, size)
		c.end = copy(grown, c.buffer[:c.end])
		c.buffer = grown
	}
	n, err := c.netConn.Read(c.buffer[c.end:])
	c.readFilled = c.end+n == len(c.buffer)
	c.end += n
	if n > 0 {
		// Data first: an error with it shows on the next read.
		return nil
	}
	if err == nil {
		return errors.New("tcpserver: read returned nothing")
	}
	return err
}

// HasLine reports whether a whole line has arrived and waits in the
// buffer, so that ReadLine returns it without waiting. A handler that
// answers many lines flushes its replies when it has none: a batch
// of requests is answered with one write.
func (c *Conn) HasLine() bool {
	return bytes.IndexByte(c.buffer[c.start:c.end], '\n') >= 0
}

// Share runs work, a heavy computation for this connection, when the
// server's turn-taking lets it: at most a few heavy works run at once,
// one host after another, so that light requests always find a free
// processor and one host's flood of heavy work only slows that host.
// It returns ErrServerClosed, without running work, when the server
// stops answering (its shutdown ran out of time) before work's turn
// came.
func (c *Conn) Share(work func()) error {
	s := c.server
	if !s.turns.wait(c.host, s.stopping) {
		c.endsWith(ErrServerClosed)
		return ErrServerClosed
	}
	defer s.turns.done()
	work()
	return nil
}

// endsWith records why the connection ends: the first reason wins.
func (c *Conn) endsWith(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ending == nil {
		c.ending = err
	}
}

// endReason is why the connection ended, for the Ended event: nil
// when nothing went wrong.
func (c *Conn) endReason() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ending
}

// wake is where Shutdown wakes a read that waits for the client: it
// gives the read a moment more for data already on its way, then the
// handler hears ErrServerClosed. Lines already received are still
// read and answered.
func (c *Conn) wake() {
	// An error here means the connection is already closed,
	// which is what we want anyway.
	_ = c.netConn.SetReadDeadline(time.Now().Add(drainWindow))
}

// stop is where a shutdown out of time stops the connection: its
// reads end at once, and its last replies have until closeBy to go.
func (c *Conn) stop(closeBy time.Time) {
	_ = c.netConn.SetReadDeadline(time.Now())
	_ = c.netConn.SetWriteDeadline(closeBy)
}

// close ends the connection politely. It sends the end of the data
// first, then reads what the client may still be sending for up to a
// second before closing. Closing with unread bytes would make the
// system reset the connection, and the reset can destroy the reply
// before the client reads it (a client that sent a line too long,
// for one). After the client's end of file, or its idle timeout,
// nothing is left to read and close does not wait.
func (c *Conn) close() {
	defer c.netConn.Close()
	if errors.Is(c.lastRead, io.EOF) || errors.Is(c.lastRead, ErrIdleTimeout) {
		return
	}
	type closeWriter interface{ CloseWrite() error }
	half, ok := c.netConn.(closeWriter)
	if !ok {
		return
	}
	if err := half.CloseWrite(); err != nil {
		return
	}
	// A server shutting down lingers only as long as it has.
	deadline := earliest(time.Now().Add(lingerTime), c.server.closeDeadline())
	if err := c.netConn.SetReadDeadline(deadline); err != nil {
		return
	}
	// Drained to io.Discard: no memory is kept.
	_, _ = io.Copy(io.Discard, c.netConn)
}

// deadlineWriter gives each write IdleTimeout to complete, so that a
// client that never reads its replies cannot block its handler
// forever once the system's buffers are full.
type deadlineWriter struct {
	c *Conn
}

func (w deadlineWriter) Write(p []byte) (int, error) {
	c := w.c
	deadline := time.Now().Add(c.idleTimeout)
	timeout := ErrIdleTimeout
	if closeBy := c.server.closeDeadline(); !closeBy.IsZero() {
		deadline = earliest(deadline, closeBy)
		timeout = ErrServerClosed
	}
	if err := c.netConn.SetWriteDeadline(deadline); err != nil {
		return 0, err
	}
	n, err := c.netConn.Write(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = timeout
	}
	if err != nil {
		c.endsWith(err)
	}
	// A client that keeps sending never makes its handler wait for
	// the network, and a goroutine that never waits keeps its
	// processor until Go's scheduler takes it back, every 10 ms or
	// so. With hundreds of such connections, everyone else (a new
	// student, the screen, Ctrl-C) would wait a full round of them.
	// After each write to the network, let the others run first.
	runtime.Gosched()
	return n, err
}

// earliest is the earlier of a and b, ignoring a zero time.
func earliest(a, b time.Time) time.Time {
	if b.IsZero() || (!a.IsZero() && a.Before(b)) {
		return a
	}
	return b
}
