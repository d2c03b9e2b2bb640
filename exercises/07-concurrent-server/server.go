// Package concurrentserver is exercise 07: from a server that serves
// one client at a time to one that serves them all at once, and
// stops without cutting anyone off.
package concurrentserver

import (
	"context"
	"errors"
	"net"
)

// ErrServerClosed is what Serve returns after Shutdown.
var ErrServerClosed = errors.New("server closed")

// A Server answers prime requests on every connection it accepts.
type Server struct {
	// TODO: what Shutdown needs to know: the listener, and the
	// connections being served.
}

// Serve accepts connections on listener and serves each with answer.
//
// As it stands it serves one client at a time: while a client stays
// connected, the next one waits. Make it serve every client at once.
// After Shutdown, Serve returns ErrServerClosed, at once, even when
// Shutdown came first: then it closes listener without accepting.
func (s *Server) Serve(listener net.Listener) error {
	for {
		conn, err := listener.Accept()
		if err != nil {
			return err
		}
		// TODO: serve the connection without waiting for it to
		// end, and keep track of it for Shutdown.
		answer(conn)
	}
}

// Shutdown stops the server gracefully. It stops accepting new
// clients at once (new connections are refused), then waits until
// every client being served has hung up, and returns nil. If ctx ends
// first, it closes the remaining connections and returns ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	// TODO: close the listener, then wait for the connections.
	return nil
}
