// Package tcpserver is a small framework for line-based TCP servers:
// Go's counterpart of Python's socketserver, built the way net/http's
// Server is.
//
// The server does the plumbing: listening, one goroutine for each
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
//	server := &tcpserver.Server{Addr: "127.0.0.1:8809", Handler: handler}
//	err := server.ListenAndServe()
package tcpserver

import (
	"context"
	"errors"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Defaults for the Server's limits, used where a field is zero.
const (
	DefaultAddr         = "127.0.0.1:8809"
	DefaultIdleTimeout  = 30 * time.Second
	DefaultMaxLineBytes = 1024
	DefaultMaxConns     = 100
)

// ErrServerClosed is returned by Serve and ListenAndServe after
// Shutdown or Close, and by Conn.ReadLine once the server is shutting
// down.
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
// default. A Server must not be copied after first use.
type Server struct {
	// Addr is where ListenAndServe listens: DefaultAddr if empty.
	Addr string

	// Handler serves each connection.
	Handler Handler

	// IdleTimeout is how long a client may stay silent, or leave
	// a reply unread, before it is disconnected.
	IdleTimeout time.Duration

	// MaxLineBytes is the longest line, '\n' included, that
	// Conn.ReadLine returns; a longer one is ErrLineTooLong.
	MaxLineBytes int

	// MaxConns is how many connections are served at once. Past
	// it, the server stops accepting until one ends: new clients
	// wait in the system's queue of pending connections.
	MaxConns int

	// ErrorLog receives the server's own troubles: a handler's
	// panic, a failed Accept. Nil means the log package's
	// standard logger.
	ErrorLog *log.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*Conn]struct{}
	slots     chan struct{} // one token for each connection served
	closing   chan struct{} // closed when shutting down begins
	closeOnce sync.Once
	active    sync.WaitGroup // the connection goroutines

	shuttingDown atomic.Bool
}

// ListenAndServe listens on s.Addr and serves until Shutdown or
// Close, when it returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(listener)
}

// Serve accepts connections on listener and serves each in a new
// goroutine. It closes listener when it returns, which is after
// Shutdown or Close (ErrServerClosed) or on an Accept error it cannot
// wait out.
func (s *Server) Serve(listener net.Listener) error {
	s.init()
	if !s.track(listener) {
		listener.Close()
		return ErrServerClosed
	}
	defer s.untrack(listener)
	defer listener.Close()

	var backoff time.Duration
	for {
		// Past MaxConns, wait here for a connection to end.
		select {
		case s.slots <- struct{}{}:
		case <-s.closing:
			return ErrServerClosed
		}

		conn, err := listener.Accept()
		if err != nil {
			<-s.slots
			if s.shuttingDown.Load() {
				return ErrServerClosed
			}
			if !isTemporary(err) {
				return err
			}
			// Out of file descriptors, say: spinning would
			// make it worse. Wait, longer each time.
			backoff = nextBackoff(backoff)
			s.logf("tcpserver: accept: %v; retrying in %v",
				err, backoff)
			if !s.sleep(backoff) {
				return ErrServerClosed
			}
			continue
		}
		backoff = 0

		c := s.newConn(conn)
		if !s.trackConn(c) {
			conn.Close()
			<-s.slots
			return ErrServerClosed
		}
		go func() {
			defer func() { <-s.slots }()
			s.serve(c)
		}()
	}
}

// ServeConn serves one connection in the calling goroutine, as Serve
// would, and returns when its handler has. It is meant for tests,
// with net.Pipe for instance.
func (s *Server) ServeConn(conn net.Conn) {
	s.init()
	c := s.newConn(conn)
	if !s.trackConn(c) {
		conn.Close()
		return
	}
	s.serve(c)
}

// Shutdown stops the server gracefully: it stops accepting, wakes the
// connections that are waiting for a request so that they close, and
// waits for the handlers busy with a request to finish. If ctx ends
// first, Shutdown returns its error and leaves the rest to Close.
func (s *Server) Shutdown(ctx context.Context) error {
	s.beginClosing()
	s.mu.Lock()
	for c := range s.conns {
		c.wakeForShutdown()
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
		return ctx.Err()
	}
}

// Close stops the server at once: listeners and connections are
// closed, whatever they were doing. It does not wait for handlers.
func (s *Server) Close() error {
	s.beginClosing()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.netConn.Close()
	}
	return nil
}

func (s *Server) init() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing != nil {
		return
	}
	s.listeners = make(map[net.Listener]struct{})
	s.conns = make(map[*Conn]struct{})
	maxConns := s.MaxConns
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	s.slots = make(chan struct{}, maxConns)
	s.closing = make(chan struct{})
}

// beginClosing marks the server as shutting down, once, and closes
// its listeners so that Accept returns.
func (s *Server) beginClosing() {
	s.init()
	s.shuttingDown.Store(true)
	s.closeOnce.Do(func() { close(s.closing) })
	s.mu.Lock()
	defer s.mu.Unlock()
	for listener := range s.listeners {
		listener.Close()
	}
}

func (s *Server) track(listener net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown.Load() {
		return false
	}
	s.listeners[listener] = struct{}{}
	return true
}

func (s *Server) untrack(listener net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.listeners, listener)
}

// trackConn records a connection, unless the server is closing. The
// WaitGroup is added to under the same lock that Shutdown takes, so
// Shutdown never misses a connection.
func (s *Server) trackConn(c *Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown.Load() {
		return false
	}
	s.conns[c] = struct{}{}
	s.active.Add(1)
	return true
}

func (s *Server) untrackConn(c *Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// serve runs the handler on one connection and cleans up after it,
// even if it panics.
func (s *Server) serve(c *Conn) {
	defer s.active.Done()
	defer s.untrackConn(c)
	defer c.close()
	defer func() {
		// A bug in one handler ends its connection, not the
		// server.
		if problem := recover(); problem != nil {
			s.logf("tcpserver: panic serving %s: %v",
				c.RemoteAddr, problem)
		}
	}()

	s.Handler.Handle(c)
	if err := c.Writer.Flush(); err != nil {
		s.logf("tcpserver: replying to %s: %v", c.RemoteAddr, err)
	}
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (s *Server) maxLineBytes() int {
	if s.MaxLineBytes > 0 {
		return s.MaxLineBytes
	}
	return DefaultMaxLineBytes
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// sleep waits for d, or until the server closes: it reports whether
// the server is still running.
func (s *Server) sleep(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-s.closing:
		return false
	}
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
