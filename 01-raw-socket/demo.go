package main

import (
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// runDemo runs the server and the client of this chapter against
// each other and prints both sides of the conversation.
func runDemo(stdout, stderr io.Writer) int {
	out := &lockedWriter{w: stdout}

	// Port 0 asks the system for any free port, so the demo never
	// collides with another program.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "demo: cannot listen: %v\n", err)
		return 1
	}
	defer listener.Close()
	fmt.Fprintf(out, "server | listening on %s\n", listener.Addr())

	// The server runs in its own goroutine, as it would run in its
	// own terminal. It reports when it has accepted the client,
	// so that the two sides' lines come out in a fixed order.
	accepted := make(chan struct{})
	serverDone := make(chan error, 1)
	go func() {
		conn, err := acceptOne(listener, out)
		close(accepted)
		if err != nil {
			serverDone <- err
			return
		}
		serverDone <- serve(conn, out)
	}()

	clientErr := runDemoClient(listener.Addr().String(), accepted, out)
	// Had the client failed to connect, the server would still be
	// waiting in Accept: closing the listener releases it.
	listener.Close()
	serverErr := <-serverDone

	if clientErr != nil || serverErr != nil {
		fmt.Fprintf(stderr, "demo: client: %v, server: %v\n",
			clientErr, serverErr)
		return 1
	}
	fmt.Fprintln(out, "demo   | the server has stopped; both sides are done")
	return 0
}

// runDemoClient connects, waits until the server has said it
// accepted, asks about the source text's numbers, and hangs up.
func runDemoClient(addr string, accepted <-chan struct{},
	out io.Writer) error {
	const timeout = 5 * time.Second
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	<-accepted
	return askAll(conn, sourceNumbers, timeout, out)
}

// lockedWriter lets the server's and the client's goroutines print
// to one output without mixing their lines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
