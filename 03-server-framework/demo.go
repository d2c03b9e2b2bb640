package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"workbook/03-server-framework/tcpserver"
)

// runDemo starts the server on a free port, runs the source text's
// client against it, then shuts the server down.
func runDemo(stdout, stderr io.Writer) int {
	out := &lockedWriter{w: stdout}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "demo: cannot listen: %v\n", err)
		return 1
	}
	screen := log.New(out, "server | ", 0)
	errorLog := log.New(stderr, "server: ", 0)
	defaults := limits{
		maxLine:     tcpserver.DefaultMaxLineBytes,
		idleTimeout: tcpserver.DefaultIdleTimeout,
		maxConns:    tcpserver.DefaultMaxConns,
	}
	// No log file in the demo: the screen shows every request.
	server := newPrimeServer(defaults, screen, nil, errorLog)
	screen.Printf("listening on %s", listener.Addr())

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()

	ok := askEach(listener.Addr().String(), sourceNumbers,
		5*time.Second, out)

	screen.Print("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(),
		10*time.Second)
	defer cancel()
	if err := server.Shutdown(ctx); err != nil {
		fmt.Fprintf(stderr, "demo: shutdown: %v\n", err)
		return 1
	}
	if err := <-served; !errors.Is(err, tcpserver.ErrServerClosed) {
		fmt.Fprintf(stderr, "demo: server: %v\n", err)
		return 1
	}
	screen.Print("stopped")
	if !ok {
		return 1
	}
	return 0
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
