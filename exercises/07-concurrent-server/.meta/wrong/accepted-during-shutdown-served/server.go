// Package concurrentserver: Serve registers every connection Accept
// returns, even one accepted as Shutdown closed the listener: it is
// served after Shutdown has returned, or its Add comes while
// Shutdown's Wait is returning ("WaitGroup is reused before previous
// Wait has returned").
package concurrentserver

import (
	"context"
	"errors"
	"net"
	"sync"
)

// ErrServerClosed is what Serve returns after Shutdown.
var ErrServerClosed = errors.New("server closed")

// A Server answers prime requests on every connection it accepts.
type Server struct {
	mu       sync.Mutex
	listener net.Listener
	conns    map[net.Conn]struct{}
	closing  bool
	active   sync.WaitGroup
}

// Serve accepts connections on listener and serves each with answer.
//
// As it stands it serves one client at a time: while a client stays
// connected, the next one waits. Make it serve every client at once.
// After Shutdown, Serve returns ErrServerClosed, at once, even when
// Shutdown came first: then it closes listener without accepting.
func (s *Server) Serve(listener net.Listener) error {
	s.mu.Lock()
	// Shutdown may have come first: then there is nothing to serve.
	if s.closing {
		s.mu.Unlock()
		listener.Close()
		return ErrServerClosed
	}
	s.listener = listener
	s.conns = make(map[net.Conn]struct{})
	s.mu.Unlock()
	for {
		conn, err := listener.Accept()
		if err != nil {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.closing {
				return ErrServerClosed
			}
			return err
		}
		// Register the connection under the lock. Whether
		// Shutdown has begun in the meantime is not checked.
		s.mu.Lock()
		s.conns[conn] = struct{}{}
		s.active.Add(1)
		s.mu.Unlock()
		// Each client in its own goroutine: Accept is called
		// again at once.
		go func() {
			defer s.active.Done()
			answer(conn)
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
		}()
	}
}

// Shutdown stops the server gracefully. It stops accepting new
// clients at once (new connections are refused), then waits until
// every client being served has hung up, and returns nil. If ctx ends
// first, it closes the remaining connections and returns ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	if s.listener != nil {
		s.listener.Close()
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
		for conn := range s.conns {
			conn.Close()
		}
		s.mu.Unlock()
		<-finished
		return ctx.Err()
	}
}
