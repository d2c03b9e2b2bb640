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
	// Default 1024, at most MaxLineLimit. A connection's buffer
	// starts small and grows only for a long line.
	MaxLineBytes int

	// MaxConns is how many connections are served at once. Past
	// it, the server stops accepting until one ends: new clients
	// wait in the system's queue of pending connections.
	// Default 10000.
	MaxConns int

	// MaxConnsPerHost is how many connections one client address
	// (one IP) may have at once. The server accepts a connection
	// beyond it and closes it at once, with a Refused event, so
	// one host cannot take every slot. Default 32.
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
	// closing is closed when Shutdown begins: the server's one
	// signal to stop.
	closing chan struct{}
	active  sync.WaitGroup // the connection goroutines
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

		c, ok := s.admit(conn)
		if !ok {
			conn.Close()
			<-slots
			return ErrServerClosed
		}
		go func() {
			defer func() { <-slots }()
			s.serve(c)
		}()
	}
}

// Shutdown stops the server gracefully: it stops accepting, wakes
// the connections waiting for a request so that they close, and
// waits for the handlers to finish. Lines a handler has already
// received are still read, and answered. If ctx ends first, Shutdown
// closes the connections left and returns ctx's error.
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
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		for c := range s.conns {
			c.netConn.Close()
		}
		return ctx.Err()
	}
}

// init makes the server's maps and channel, once. The caller holds
// s.mu.
func (s *Server) init() {
	if s.closing == nil {
		s.conns = make(map[*Conn]struct{})
		s.closing = make(chan struct{})
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

// admit is where an accepted connection joins the server, unless the
// server is closing. It is counted in s.active under the lock that
// Shutdown takes, so Shutdown never misses a connection.
func (s *Server) admit(conn net.Conn) (*Conn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isClosing() {
		return nil, false
	}
	c := s.newConn(conn)
	s.conns[c] = struct{}{}
	s.active.Add(1)
	return c, true
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
	defer c.close()
	defer func() {
		// A bug in one handler ends its connection, not the
		// server.
		if problem := recover(); problem != nil {
			s.logf("tcpserver: panic serving %s: %v", c.RemoteAddr, problem)
		}
	}()

	s.Handler.Handle(c)
	if err := c.Writer.Flush(); err != nil {
		s.logf("tcpserver: replying to %s: %v", c.RemoteAddr, err)
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
// too many open files, not enough memory or buffers, or a client that
// gave up before it was accepted.
func isTemporary(err error) bool {
	for _, errno := range []syscall.Errno{
		syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS,
		syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET,
	} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}
