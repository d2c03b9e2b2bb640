package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"

	"workbook/03-server-framework/tcpserver"
)

// limits are the server's settings, each with a flag.
type limits struct {
	maxLine     int
	idleTimeout time.Duration
	maxConns    int
}

// newPrimeServer assembles the server: the framework's plumbing and
// the prime handler. This is the Go version of the source text's
// two-line `TCPServer(params, PrimeTCPHandler)`.
func newPrimeServer(l limits, screen, requestLog,
	errorLog *log.Logger) *tcpserver.Server {
	return &tcpserver.Server{
		Handler: primeHandler{
			screen:     screen,
			requestLog: requestLog,
			maxLine:    l.maxLine,
		},
		MaxLineBytes: l.maxLine,
		IdleTimeout:  l.idleTimeout,
		MaxConns:     l.maxConns,
		ErrorLog:     errorLog,
	}
}

// runServer is the "server" command: serve until ctx is cancelled
// (Ctrl-C), then shut down gracefully.
func runServer(ctx context.Context, args []string,
	stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("server", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", tcpserver.DefaultAddr,
		"address to listen on (0.0.0.0:8809 for a classroom)")
	logPath := flags.String("log", "prime_server.log",
		"file to append one line per request to ('' for none)")
	var l limits
	flags.IntVar(&l.maxLine, "max-line", tcpserver.DefaultMaxLineBytes,
		"longest request line in bytes; longer gets E and a hang-up")
	flags.DurationVar(&l.idleTimeout, "idle-timeout",
		tcpserver.DefaultIdleTimeout,
		"disconnect a client silent for this long")
	flags.IntVar(&l.maxConns, "max-conns", tcpserver.DefaultMaxConns,
		"connections served at once; more wait their turn")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 || l.maxLine < 16 || l.idleTimeout <= 0 ||
		l.maxConns < 1 {
		fmt.Fprintln(stderr, "server: -max-line must be at least 16, "+
			"-idle-timeout and -max-conns above zero, and no "+
			"other arguments")
		return 2
	}

	// The source text appends to prime_server.log; so do we.
	var requestLog *log.Logger
	if *logPath != "" {
		file, err := os.OpenFile(*logPath,
			os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "server: cannot open the log: %v\n",
				err)
			return 1
		}
		defer file.Close()
		requestLog = log.New(file, "", log.LstdFlags)
	}

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "server: cannot listen on %s: %v\n",
			*addr, reason(err))
		return 1
	}
	screen := log.New(stdout, "server | ", 0)
	errorLog := log.New(stderr, "server: ", 0)
	server := newPrimeServer(l, screen, requestLog, errorLog)
	screen.Printf("listening on %s; Ctrl-C stops", listener.Addr())

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}

	// Graceful shutdown: stop accepting, answer the requests in
	// flight, close the idle connections.
	screen.Print("shutting down: answering the requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(),
		10*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		server.Close()
		fmt.Fprintf(stderr, "server: shutdown cut short: %v\n", err)
		return 1
	}
	if err := <-served; !errors.Is(err, tcpserver.ErrServerClosed) {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	screen.Print("stopped")
	return 0
}

// reason strips from a network error the operation and address it
// repeats, which the message around it already names.
func reason(err error) error {
	var opError *net.OpError
	if errors.As(err, &opError) {
		return opError.Err
	}
	return err
}
