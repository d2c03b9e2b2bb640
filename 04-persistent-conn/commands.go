package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

// runServer is the "server" command: serve until ctx is cancelled
// (Ctrl-C), then shut down gracefully.
func runServer(ctx context.Context, args []string,
	stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("server", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", defaultAddr,
		"address to listen on (0.0.0.0:8809 for a classroom)")
	logPath := flags.String("log", "prime_server.log",
		"file to append one line per request to ('' for none)")
	maxLine := flags.Int("max-line", 1024,
		"longest request line in bytes; longer gets E and a hang-up")
	idleTimeout := flags.Duration("idle-timeout", 30*time.Second,
		"disconnect a client silent for this long")
	maxConns := flags.Int("max-conns", 1000,
		"connections served at once; more wait their turn")
	quiet := flags.Bool("quiet", false,
		"do not show each request (for benchmarks)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 || *maxLine < 32 || *idleTimeout <= 0 ||
		*maxConns < 1 {
		fmt.Fprintln(stderr, "server: -max-line must be at least 32, "+
			"-idle-timeout and -max-conns above zero, and no "+
			"other arguments")
		return 2
	}

	requestLog, logFile, err := openLog(*logPath)
	if err != nil {
		fmt.Fprintf(stderr, "server: cannot open the log: %v\n", err)
		return 1
	}
	if logFile != nil {
		defer logFile.Close()
	}
	listener, ok := listenAndReport(*addr, stderr)
	if !ok {
		return 1
	}

	screen := log.New(stdout, "server | ", 0)
	s := newServer(*maxLine, *idleTimeout, *maxConns)
	s.requestLog = requestLog
	s.errorLog = log.New(stderr, "server: ", 0)
	if !*quiet {
		s.screen = screen
	}
	screen.Printf("listening on %s; Ctrl-C stops", listener.Addr())

	served := make(chan error, 1)
	go func() { served <- s.serve(listener) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}

	screen.Print("shutting down: answering the requests received")
	shutdownCtx, cancel := context.WithTimeout(context.Background(),
		10*time.Second)
	defer cancel()
	if err := s.shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "server: shutdown cut short: %v\n", err)
		return 1
	}
	if err := <-served; !errors.Is(err, errServerClosed) {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	screen.Print("stopped")
	return 0
}

// runDemo starts the server on a free port and sends the source
// text's numbers twice on one connection each: in lock-step, then
// pipelined.
func runDemo(stdout, stderr io.Writer) int {
	out := &lockedWriter{w: stdout}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "demo: cannot listen: %v\n", err)
		return 1
	}
	screen := log.New(out, "server | ", 0)
	s := newServer(1024, 30*time.Second, 1000)
	s.screen = screen
	s.errorLog = log.New(stderr, "server: ", 0)
	screen.Printf("listening on %s", listener.Addr())
	served := make(chan error, 1)
	go func() { served <- s.serve(listener) }()
	addr := listener.Addr().String()

	fmt.Fprintln(out, "client | one connection, one request at a time:")
	err = demoClient(addr, askLockstep, true, out)
	if err == nil {
		fmt.Fprintln(out, "client | one connection, all requests "+
			"at once:")
		err = demoClient(addr, askPipelined, false, out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "demo: client: %v\n", err)
	}

	screen.Print("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(),
		10*time.Second)
	defer cancel()
	if err := s.shutdown(ctx); err != nil {
		fmt.Fprintf(stderr, "demo: shutdown: %v\n", err)
		return 1
	}
	if err := <-served; !errors.Is(err, errServerClosed) {
		fmt.Fprintf(stderr, "demo: server: %v\n", err)
		return 1
	}
	screen.Print("stopped")
	if err != nil {
		return 1
	}
	return 0
}

// demoClient asks about the source text's numbers on one connection.
// In lock-step it prints each reply as it comes; pipelined, once they
// have all arrived, so that the server's lines and the client's come
// out in a fixed order.
func demoClient(addr string, ask func(net.Conn, [][]byte, onReply) error,
	printEach bool, out io.Writer) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	var lines []string
	err = ask(conn, requestsFor(sourceNumbers),
		func(i int, reply []byte) error {
			line := fmt.Sprintf("client | %q -> %q %s\n",
				sourceNumbers[i]+"\n", reply, meaningOf(reply))
			if printEach {
				fmt.Fprint(out, line)
			} else {
				lines = append(lines, line)
			}
			return nil
		})
	for _, line := range lines {
		fmt.Fprint(out, line)
	}
	return err
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

// contextWithTimeout is a context that ends after d. Its resources
// are released when it ends.
func contextWithTimeout(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	context.AfterFunc(ctx, cancel)
	return ctx
}
