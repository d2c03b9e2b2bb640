// Package tcpserver is a small framework for line-based TCP servers,
// Go's socketserver, shaped like net/http's Server. The Server does
// the plumbing; a Handler holds the business code:
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
//
// Anything more, such as a limit on connections, wraps the listener
// or the handler from the outside.
package tcpserver

import (
	"cmp"
	"context"
	"errors"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A Handler serves one connection: Python's handle(). When Handle
// returns, the server flushes Conn.Writer and closes the connection.
type Handler interface {
	Handle(c *Conn)
}

// HandlerFunc lets an ordinary function be a Handler.
type HandlerFunc func(c *Conn)

// Handle calls f(c).
func (f HandlerFunc) Handle(c *Conn) { f(c) }

// The limits a Server uses where its field is zero.
const DefaultIdleTimeout, DefaultMaxLineBytes = 5 * time.Minute, 1024

// ErrServerClosed is what Serve returns after Shutdown or Close, and
// what ReadLine returns when the server stops reading.
var ErrServerClosed = errors.New("tcpserver: server closed")

// A Server hands each TCP connection to its Handler, in a goroutine
// of its own. It serves one listener, once.
type Server struct {
	// Handler serves each connection.
	Handler Handler

	// IdleTimeout is how long a client has to send each line,
	// from when the handler asks for it, and to take each reply.
	IdleTimeout time.Duration
	// MaxLineBytes is the longest line, '\n' included.
	MaxLineBytes int
	// ErrorLog gets a handler's panic (nil: log's standard one).
	ErrorLog *log.Logger

	// state is serving, then shuttingDown once Shutdown or Close
	// begins (stop accepting, answer what has arrived), then closed
	// once Close does (stop now).
	state   atomic.Int32
	closeBy time.Time // Close's deadline, set before closed

	mu       sync.Mutex
	listener net.Listener
	conns    map[*Conn]struct{}
	active   sync.WaitGroup // the connections' goroutines
}

const serving, shuttingDown, closed = 0, 1, 2 // a Server's states

// Serve accepts connections on listener and serves each in a new
// goroutine until Shutdown or Close (ErrServerClosed) or until Accept
// fails. It closes listener when it returns.
func (s *Server) Serve(listener net.Listener) error {
	defer listener.Close()
	s.mu.Lock()
	s.listener = listener
	s.conns = make(map[*Conn]struct{})
	s.mu.Unlock()
	if s.state.Load() != serving {
		return ErrServerClosed
	}
	for {
		conn, err := listener.Accept()
		if err != nil && s.state.Load() != serving {
			err = ErrServerClosed
		}
		if err != nil {
			return err
		}
		// Counted under Shutdown's lock, so that it waits for it.
		s.mu.Lock()
		if s.state.Load() != serving {
			s.mu.Unlock()
			conn.Close()
			return ErrServerClosed
		}
		c := s.newConn(conn)
		s.conns[c] = struct{}{}
		s.active.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

// serve runs the handler, then flushes and closes, even after a panic.
func (s *Server) serve(c *Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.active.Done()
	}()
	defer c.close()
	defer func() {
		// A bug in a handler ends its connection, not the server.
		if problem := recover(); problem != nil {
			logger := cmp.Or(s.ErrorLog, log.Default())
			logger.Printf("tcpserver: panic serving %s: %v", c.RemoteAddr, problem)
		}
	}()
	s.Handler.Handle(c)
	_ = c.Writer.Flush() // a failure is the client's: c.Err says it
}

// Shutdown stops the server gracefully: it closes the listener, lets
// each connection answer the lines it has received (Conn.ReadLine)
// and end cleanly, and waits for the handlers. If ctx ends first, it
// returns ctx's error and leaves the connections to Close.
// Connections still in the system's queue are reset.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.beginShutdown()
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() { s.active.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the server now, politely: ReadLine says ErrServerClosed
// at once, replies already written have closeGrace (a quarter second)
// to leave, and clients three times that to take them and end: no
// reset destroys them. Close waits four times closeGrace at most,
// then closes the connections left at once.
func (s *Server) Close() error {
	s.mu.Lock()
	s.beginShutdown()
	if s.state.Load() != closed {
		s.closeBy = time.Now().Add(closeGrace)
		s.state.Store(closed)
	}
	// Reads end now; the last replies have until closeBy.
	for c := range s.conns {
		_ = c.NetConn.SetReadDeadline(time.Now())
		_ = c.NetConn.SetWriteDeadline(s.closeBy)
	}
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 4*closeGrace)
	defer cancel()
	if s.Shutdown(ctx) != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		for c := range s.conns {
			c.NetConn.Close()
		}
	}
	return nil
}

// beginShutdown stops accepting, and wakes the connections that wait
// for their client, once. The caller holds s.mu.
func (s *Server) beginShutdown() {
	if !s.state.CompareAndSwap(serving, shuttingDown) {
		return
	}
	if s.listener != nil {
		// Accept returns at once, with an error.
		s.listener.Close()
	}
	// A read waiting for its client gets a moment for what is on
	// its way.
	for c := range s.conns {
		_ = c.NetConn.SetReadDeadline(time.Now().Add(drainWindow))
	}
}
