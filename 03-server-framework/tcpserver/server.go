// Package tcpserver is a small framework for line-based TCP servers:
// Go's counterpart of Python's socketserver, built the way net/http's
// Server is.
//
// The server does the plumbing: accepting, one goroutine for each
// connection, limits, timeouts, shutting down. A Handler holds the
// business code and sees only the connection:
//
//	handler := tcpserver.HandlerFunc(func(c *tcpserver.Conn) {
//		line, err := c.ReadLine()
//		if err != nil {
//			return
//		}
//		c.Writer.Write(bytes.ToUpper(line))
//	})
//	server := &tcpserver.Server{Handler: handler}
//	err := server.Serve(listener)
package tcpserver

import (
	"context"
	"errors"
	"log"
	"net"
	"sync"
	"syscall"
	"time"
)

// Limits used where a Server's field is zero.
const (
	defaultIdleTimeout     = 5 * time.Minute
	defaultMaxLineBytes    = 1024
	defaultMaxConns        = 10000
	defaultMaxConnsPerHost = 32
)

// MaxLineLimit is the largest MaxLineBytes a Server takes: a larger
// one is cut to it.
const MaxLineLimit = 64 << 10

// ErrServerClosed is what Serve returns after Shutdown.
var ErrServerClosed = errors.New("tcpserver: server closed")

// A Handler serves one connection: what Python's handle() does. The
// server flushes Conn.Writer and closes the connection when Handle
// returns.
type Handler interface {
	Handle(c *Conn)
}

// HandlerFunc lets an ordinary function be a Handler.
type HandlerFunc func(c *Conn)

// Handle calls f(c).
func (f HandlerFunc) Handle(c *Conn) {
	f(c)
}

// A Server accepts TCP connections and gives each to its Handler, in
// a goroutine of its own. The zero value of each limit means its
// default. A Server serves one listener, once.
type Server struct {
	// Handler serves each connection.
	Handler Handler

	// IdleTimeout is how long a client has to send each line,
	// counted from when the server starts waiting for it, and to
	// take each reply. A client that takes longer is disconnected
	// (ErrIdleTimeout). Default 5 minutes: people type.
	IdleTimeout time.Duration

	// MaxLineBytes is the longest line, '\n' included, that
	// Conn.ReadLine returns; a longer one is ErrLineTooLong.
	// Default 1024, at most MaxLineLimit. A connection's read
	// buffer starts at 256 bytes and grows only for a long line, or
	// to 4 KiB for a batch of lines sent at once.
	MaxLineBytes int

	// MaxConns is how many connections are served at once. Past
	// it, the server stops accepting until one ends: new clients
	// wait in the system's queue of pending connections.
	// Default 10000.
	MaxConns int

	// MaxConnsPerHost is how many connections one client address
	// (one IP) may have at once. The server accepts a connection
	// beyond it and closes it at once, with a reset and a Refused
	// event, so that one host cannot take every slot. Default 32.
	MaxConnsPerHost int

	// OnEvent, if not nil, hears when a connection is refused or
	// ends. It is called from the server's goroutines, several at
	// once, and must not block: the connection, or the accept
	// loop, waits for it to return.
	OnEvent func(Event)

	// ErrorLog receives the server's own troubles: a handler's
	// panic, a failed Accept. Nil means the log package's
	// standard logger.
	ErrorLog *log.Logger

	mu       sync.Mutex
	listener net.Listener
	conns    map[*Conn]struct{}
	perHost  map[string]int // connections open, by client IP
	turns    *turns         // Conn.Share's turn-taking
	// closing is closed when Shutdown begins: stop accepting,
	// answer what has arrived.
	closing chan struct{}
	// stopping is closed when Shutdown runs out of time to answer:
	// stop answering, close cleanly.
	stopping chan struct{}
	closeBy  time.Time      // when a stopping connection must be closed
	active   sync.WaitGroup // the connection goroutines
}

// Serve accepts connections on listener and serves each in a new
// goroutine. It closes listener when it returns, which is after
// Shutdown (ErrServerClosed) or on an Accept error that waiting
// cannot cure.
func (s *Server) Serve(listener net.Listener) error {
	defer listener.Close()
	if err := s.start(listener); err != nil {
		return err
	}
	// One token for each connection served: past MaxConns, the
	// loop waits for one to end before it accepts again.
	slots := make(chan struct{}, orDefault(s.MaxConns, defaultMaxConns))
	var backoff time.Duration
	for {
		select {
		case slots <- struct{}{}:
		case <-s.closing:
			return ErrServerClosed
		}

		conn, err := listener.Accept()
		if err != nil {
			<-slots
			if s.isClosing() {
				return ErrServerClosed
			}
			if !isTemporary(err) {
				return err
			}
			// Out of file descriptors, say: spinning would
			// make it worse. Wait, longer each time.
			backoff = nextBackoff(backoff)
			s.logf("tcpserver: accept: %v; retrying in %v", err, backoff)
			select {
			case <-time.After(backoff):
			case <-s.closing:
				return ErrServerClosed
			}
			continue
		}
		backoff = 0

		c, err := s.admit(conn)
		if errors.Is(err, ErrServerClosed) {
			conn.Close()
			<-slots
			return err
		}
		if err != nil {
			// Over its host's limit: closed at once, and
			// the loop goes on with the next client.
			refuse(conn)
			<-slots
			s.event(Event{Kind: Refused, Remote: conn.RemoteAddr()})
			continue
		}
		go func() {
			defer func() { <-slots }()
			s.serve(c)
		}()
	}
}

// Shutdown stops the server gracefully. It closes the listener,
// answers every line the connections have received, and ends each
// connection cleanly: it sends its end of the data, then reads and
// discards what the client still sends, so that closing does not
// reset the connection. A connection waiting for a request hears
// ErrServerClosed once nothing more arrives. Shutdown waits for the
// handlers to finish. Connections still in the listener's queue,
// never accepted, are reset by the system when the listener closes.
//
// If ctx has a deadline, answering stops a little before it (a fifth
// of the time left, at most a second), so that every connection can
// still close cleanly in time: each client gets its replies in order
// up to some point, then the end of the data. If ctx ends first,
// Shutdown closes the connections left and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.init()
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	if s.listener != nil {
		// Accept returns at once, with an error.
		s.listener.Close()
	}
	for c := range s.conns {
		c.wake()
	}
	s.mu.Unlock()

	finished := make(chan struct{})
	go func() {
		s.active.Wait()
		close(finished)
	}()

	// No deadline: answer for as long as it takes.
	// With one, stop answering a fifth of the time left before
	// it (at most a second), and close cleanly in the first half
	// of that.
	var stopAnswering <-chan time.Time
	var closeBy time.Time
	if deadline, ok := ctx.Deadline(); ok {
		margin := min(time.Until(deadline)/5, lingerTime)
		closeBy = deadline.Add(-margin / 2)
		timer := time.NewTimer(time.Until(deadline) - margin)
		defer timer.Stop()
		stopAnswering = timer.C
	}
	for {
		select {
		case <-finished:
			return nil
		case <-stopAnswering:
			s.stop(closeBy)
			stopAnswering = nil
		case <-ctx.Done():
			s.mu.Lock()
			defer s.mu.Unlock()
			for c := range s.conns {
				c.netConn.Close()
			}
			return ctx.Err()
		}
	}
}

// stop is where a shutdown out of time stops answering: handlers
// waiting for a line or a turn hear ErrServerClosed at once, and each
// connection has until closeBy to close.
func (s *Server) stop(closeBy time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isStopping() {
		// Another Shutdown got here first.
		return
	}
	s.closeBy = closeBy
	close(s.stopping)
	for c := range s.conns {
		c.stop(closeBy)
	}
}

// init makes the server's maps and channel, once. The caller holds
// s.mu.
func (s *Server) init() {
	if s.closing == nil {
		s.conns = make(map[*Conn]struct{})
		s.perHost = make(map[string]int)
		s.turns = newTurns()
		s.closing = make(chan struct{})
		s.stopping = make(chan struct{})
	}
}

// start records the listener, so that Shutdown can close it.
func (s *Server) start(listener net.Listener) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if s.listener != nil {
		return errors.New("tcpserver: Serve called twice")
	}
	s.listener = listener
	if s.isClosing() {
		return ErrServerClosed
	}
	return nil
}

// isClosing reports whether Shutdown has begun.
func (s *Server) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// isStopping reports whether Shutdown has run out of time to answer.
func (s *Server) isStopping() bool {
	select {
	case <-s.stopping:
		return true
	default:
		return false
	}
}

// closeDeadline is when a stopping server's connections must be
// closed: zero while the server has no such deadline.
func (s *Server) closeDeadline() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeBy
}

// errHostFull is why admit refuses a host over MaxConnsPerHost.
var errHostFull = errors.New("tcpserver: too many connections from one host")

// admit is where an accepted connection joins the server, unless the
// server is closing (ErrServerClosed) or the client's host already
// has MaxConnsPerHost connections (errHostFull). It is counted in
// s.active under the lock that Shutdown takes, so Shutdown never
// misses a connection.
func (s *Server) admit(conn net.Conn) (*Conn, error) {
	host := hostOf(conn.RemoteAddr())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isClosing() {
		return nil, ErrServerClosed
	}
	if s.perHost[host] >= orDefault(s.MaxConnsPerHost, defaultMaxConnsPerHost) {
		return nil, errHostFull
	}
	s.perHost[host]++
	c := s.newConn(conn, host)
	s.conns[c] = struct{}{}
	s.active.Add(1)
	return c, nil
}

// refuse closes a connection over its host's limit with a reset
// (SO_LINGER 0) rather than the usual end of data. The client learns
// at once all the same, and the server keeps nothing of it: a
// connection the server ends normally stays a minute in TIME_WAIT,
// and a host that reopens every refused connection would leave tens
// of thousands of them, slowing every other client's turn in the
// queue of connections waiting to be accepted.
func refuse(conn net.Conn) {
	if tcp, ok := conn.(*net.TCPConn); ok {
		// If it fails, the close is an ordinary one.
		_ = tcp.SetLinger(0)
	}
	conn.Close()
}

// hostOf is the IP of addr, which is what a connection counts
// against: one laptop, whatever its ports.
func hostOf(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

// serve runs the handler on one connection and cleans up after it,
// even if it panics.
func (s *Server) serve(c *Conn) {
	defer s.active.Done()
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.conns, c)
	}()
	defer func() {
		s.event(Event{Kind: Ended, Remote: c.RemoteAddr, Err: c.endReason()})
	}()
	defer c.close()
	// After a panic too, the host gets its place back.
	defer s.freePlace(c)
	defer func() {
		// A bug in one handler ends its connection, not the
		// server.
		if problem := recover(); problem != nil {
			s.logf("tcpserver: panic serving %s: %v", c.RemoteAddr, problem)
		}
	}()

	s.Handler.Handle(c)
	// The host's place is free as soon as its handler is done,
	// before the last reply leaves and the polite close that may
	// wait up to a second for the client's end of data: a laptop
	// that reads its reply and connects again at once is within its
	// limit.
	s.freePlace(c)
	// A failed write is the client's doing: the Ended event says
	// why.
	_ = c.Writer.Flush()
}

// freePlace gives c's place back to its host, once.
func (s *Server) freePlace(c *Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.placeFreed {
		return
	}
	c.placeFreed = true
	s.perHost[c.host]--
	if s.perHost[c.host] == 0 {
		delete(s.perHost, c.host)
	}
}

// event tells OnEvent, if any, what happened.
func (s *Server) event(e Event) {
	if s.OnEvent != nil {
		s.OnEvent(e)
	}
}

func (s *Server) logf(format string, args ...any) {
	logger := s.ErrorLog
	if logger == nil {
		logger = log.Default()
	}
	logger.Printf(format, args...)
}

// orDefault is value, or fallback if value is zero or less.
func orDefault[T int | time.Duration](value, fallback T) T {
	if value > 0 {
		return value
	}
	return fallback
}

// nextBackoff doubles the wait after a failed Accept, from 5 ms to
// one second, as net/http does.
func nextBackoff(previous time.Duration) time.Duration {
	if previous == 0 {
		return 5 * time.Millisecond
	}
	return min(2*previous, time.Second)
}

// isTemporary reports whether an Accept error may go away by itself:
// too many open files, not enough memory or buffers, or a client's
// reset, should the system report one there. (A connection aborted
// before it was accepted, ECONNABORTED, never shows here: on Unix,
// Go's Accept tries again by itself, as it does on Windows for a
// reset.)
func isTemporary(err error) bool {
	for _, errno := range []syscall.Errno{
		syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS,
		syscall.ENOMEM, syscall.ECONNRESET,
	} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}
