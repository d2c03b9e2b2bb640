// Package primeserver is what the prime servers of chapters 03 and 04
// share: their flags, their screen and log file, and their life from
// listening to shutting down. Each chapter brings its own handler,
// and that handler is the only difference between the two servers.
package primeserver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"sync/atomic"
	"time"

	"workbook/03-server-framework/tcpserver"
	"workbook/prime"
)

// Settings are the server's flags.
type Settings struct {
	Addr        string        // where to listen
	LogPath     string        // the request log; "" for none
	MaxLine     int           // longest request line, '\n' included
	IdleTimeout time.Duration // longest wait for a line, or a reply taken
	MaxConns    int           // connections served at once
	MaxPerHost  int           // connections from one host at once
	LogMax      int64         // the log's size cap, in bytes
	Quiet       bool          // do not show each request
}

// Defaults are the settings when no flag changes them. The address
// and the log file are the source text's.
func Defaults() Settings {
	return Settings{
		Addr:        "127.0.0.1:8809",
		LogPath:     "prime_server.log",
		MaxLine:     1024,
		IdleTimeout: 5 * time.Minute,
		MaxConns:    10000,
		MaxPerHost:  32,
		LogMax:      100e6,
	}
}

// A Handler serves one connection with the help of judge, which
// judges each request and shows it on the screen and in the log.
type Handler func(c *tcpserver.Conn, judge Judge)

// A Judge gives the verdict on request lines, and records each one.
// Each connection has its own copy.
type Judge struct {
	screen     *Screen     // every request, rate-limited; nil for none
	requestLog *RequestLog // the log file; nil for none
	maxLine    int         // the server's line limit, to say so

	peer    string        // the client's address, as shown
	dropped *atomic.Int64 // its host's requests the screen left out
}

// forClient is the judge for one client's connection: its address is
// formatted once, not once per request.
func (j Judge) forClient(addr net.Addr) Judge {
	j.peer = addr.String()
	if j.screen != nil {
		j.dropped = j.screen.droppedFrom(addr)
	}
	return j
}

// Verdict judges line, which ReadLine returned with err: E for a
// line too long. A number too long for 64 bits takes turns with the
// other connections' (Conn.Share); if the server stops answering
// before its turn, Verdict returns the error and there is nothing to
// reply. It shows the request on the screen and appends it to the
// log file, quoted with %+q: a request can hold escape sequences and
// look-alike characters, and the screen may be a projector. Neither
// waits for the terminal: the screen shows a few requests a second
// and counts the others.
func (j Judge) Verdict(c *tcpserver.Conn, line []byte, err error) (prime.Verdict, error) {
	tooLong := errors.Is(err, tcpserver.ErrLineTooLong)
	// A line too long is not a number: E, without a look.
	verdict := prime.Invalid
	if !tooLong {
		verdict, err = judgeFairly(c, line)
		if err != nil {
			return 0, err
		}
	}
	if j.screen != nil && j.screen.mayShow(j.dropped) {
		shown := append([]byte("server | "), j.peer...)
		shown = append(shown, " sent "...)
		shown = appendRequest(shown, line, tooLong, j.maxLine)
		shown = append(shown, ": "...)
		shown = append(shown, byte(verdict), '\n')
		j.screen.showRequest(shown, j.dropped)
	}
	if j.requestLog != nil {
		j.requestLog.record(j.peer, line, tooLong, j.maxLine, verdict)
	}
	return verdict, nil
}

// judgeFairly judges line. A number beyond 64 bits (more than 19
// digits) can take from a hundred microseconds to milliseconds of
// CPU: it waits for its turn (Conn.Share), so that one host's flood
// of them cannot keep the others waiting. Numbers of up to 19 digits
// take a couple of microseconds at most, and are judged at once.
// What decides is the count of digits, not the line's length: padding
// with spaces changes nothing.
func judgeFairly(c *tcpserver.Conn, line []byte) (prime.Verdict, error) {
	if countDigits(line) <= 19 {
		return prime.Judge(line), nil
	}
	var verdict prime.Verdict
	err := c.Share(func() { verdict = prime.Judge(line) })
	return verdict, err
}

// countDigits counts the ASCII digits in line.
func countDigits(line []byte) int {
	digits := 0
	for _, b := range line {
		if '0' <= b && b <= '9' {
			digits++
		}
	}
	return digits
}

// NewServer assembles a server: the framework's plumbing and the
// chapter's handler. screen and requestLog may be nil.
func NewServer(settings Settings, handle Handler, screen *Screen, requestLog *RequestLog, errorLog *log.Logger) *tcpserver.Server {
	judge := Judge{screen: screen, requestLog: requestLog, maxLine: settings.MaxLine}
	return &tcpserver.Server{
		Handler: tcpserver.HandlerFunc(func(c *tcpserver.Conn) {
			handle(c, judge.forClient(c.RemoteAddr))
		}),
		MaxLineBytes:    settings.MaxLine,
		IdleTimeout:     settings.IdleTimeout,
		MaxConns:        settings.MaxConns,
		MaxConnsPerHost: settings.MaxPerHost,
		ErrorLog:        errorLog,
	}
}

// Ctrl-C promises an exit within 3 seconds. shutdownBudget is how
// long answering the last requests may take; then the log file, and
// then the terminal, get a short wait each for their last lines, so
// that neither can hold the server if it takes no writes.
const (
	shutdownBudget = 2500 * time.Millisecond
	logCloseWait   = 200 * time.Millisecond
	terminalWait   = 200 * time.Millisecond
)

// Serve runs server on listener until ctx ends (Ctrl-C), then shuts
// it down gracefully. It says so on the screen.
func Serve(ctx context.Context, server *tcpserver.Server, listener net.Listener, screen *log.Logger) error {
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		// Serve returns early only when Accept fails for good.
		return err
	}

	// Stop accepting, answer the requests already received, close
	// each connection cleanly. Ctrl-C promises an exit within 3
	// seconds: past the budget, the answering stops, and every
	// client gets the replies so far, in order, then the end.
	screen.Print("shutting down: answering the requests received")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownBudget)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown cut short: %w", err)
	}
	if err := <-served; !errors.Is(err, tcpserver.ErrServerClosed) {
		return err
	}
	screen.Print("stopped")
	return nil
}

// ServerCommand is the "server" command with handle: the Go version
// of the source text's two lines, `TCPServer(params, PrimeTCPHandler)`
// and `serve_forever()`.
func ServerCommand(handle Handler) Command {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		return runServer(ctx, args, stdout, stderr, handle)
	}
}

// runServer serves with handle until ctx is cancelled (Ctrl-C), then
// shuts down gracefully.
func runServer(ctx context.Context, args []string, stdout, stderr io.Writer, handle Handler) int {
	settings := Defaults()
	logMax := byteSize(settings.LogMax)
	flags := flag.NewFlagSet("server", flag.ContinueOnError)
	flags.StringVar(&settings.Addr, "addr", settings.Addr, "address to listen on (0.0.0.0:8809 for a classroom)")
	flags.StringVar(&settings.LogPath, "log", settings.LogPath, "file to append one line per request to ('' for none)")
	flags.Var(&logMax, "log-max", "stop logging when the log file reaches this size (100MB, 512KiB, bytes)")
	flags.IntVar(&settings.MaxLine, "max-line", settings.MaxLine, "longest request line in bytes, 16 to 65536; longer gets E and a hang-up")
	flags.DurationVar(&settings.IdleTimeout, "idle-timeout", settings.IdleTimeout, "disconnect a client that takes longer than this to send a line, or to take a reply")
	flags.IntVar(&settings.MaxConns, "max-conns", settings.MaxConns, "connections served at once, from all hosts; more wait in the system's queue until one ends")
	flags.IntVar(&settings.MaxPerHost, "max-conns-per-host", settings.MaxPerHost, "connections one host may have at once; more are closed at once")
	flags.BoolVar(&settings.Quiet, "quiet", false, "do not show each request (for benchmarks)")
	if code, ok := ParseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	settings.LogMax = int64(logMax)
	if problem := checkSettings(settings, flags.Args()); problem != "" {
		fmt.Fprintf(stderr, "server: %s\n", problem)
		return 2
	}

	listener, err := net.Listen("tcp", settings.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "server: cannot listen on %s: %v\n", settings.Addr, Reason(err))
		return 1
	}

	// The screen and stderr are written in the background: a
	// terminal that stops reading must not stop the server.
	screen := NewScreen(stdout)
	say := log.New(screen, "server | ", 0)
	errorQueue := newLineQueue(stderr)
	errorLog := log.New(errorQueue, "server: ", 0)
	defer func() {
		// Show what is left, but never wait long for a
		// terminal that does not read: with the shutdown's
		// budget, Ctrl-C still ends the server within 3 s.
		deadline := time.Now().Add(terminalWait)
		screen.Close(deadline)
		errorQueue.close(deadline)
	}()

	// The source text appends to prime_server.log; so do we, once
	// the server could listen: a server that fails to start leaves
	// no log behind.
	var requestLog *RequestLog
	if settings.LogPath != "" {
		warn := func(problem string) {
			say.Print(problem)
			errorLog.Print(problem)
		}
		requestLog, err = OpenRequestLog(settings.LogPath, settings.LogMax, warn)
		if err != nil {
			listener.Close()
			errorLog.Printf("cannot open the log: %v", err)
			return 1
		}
	}

	requests := screen
	if settings.Quiet {
		requests = nil
	}
	server := NewServer(settings, handle, requests, requestLog, errorLog)
	server.OnEvent = screen.connectionEvents(settings)
	sayListening(say, listener.Addr())
	code := 0
	if err := Serve(ctx, server, listener, say); err != nil {
		errorLog.Print(err)
		code = 1
	}
	// Every request is answered now: the last lines go to the log,
	// if the file takes them soon enough.
	if requestLog != nil {
		if err := requestLog.Close(time.Now().Add(logCloseWait)); err != nil {
			errorLog.Printf("closing the log: %v", err)
			code = 1
		}
	}
	return code
}

// checkSettings names the first setting the server cannot run with,
// or returns "". args are the arguments left after the flags.
func checkSettings(settings Settings, args []string) string {
	switch {
	case len(args) > 0:
		return fmt.Sprintf("unexpected argument %q", args[0])
	// An empty address would listen on every interface, without
	// anyone having asked for it.
	case settings.Addr == "":
		return "-addr is empty: give host:port, 127.0.0.1:8809 for this machine only or 0.0.0.0:8809 for a classroom"
	// A number has at most 100 digits: 64 KiB is plenty, and a
	// larger limit would only let a client make the server hold
	// more memory.
	case settings.MaxLine < 16 || settings.MaxLine > tcpserver.MaxLineLimit:
		return fmt.Sprintf("-max-line must be between 16 and %d, not %d", tcpserver.MaxLineLimit, settings.MaxLine)
	case settings.IdleTimeout <= 0:
		return fmt.Sprintf("-idle-timeout must be above zero, not %v", settings.IdleTimeout)
	case settings.MaxConns < 1:
		return fmt.Sprintf("-max-conns must be at least 1, not %d", settings.MaxConns)
	case settings.MaxPerHost < 1:
		return fmt.Sprintf("-max-conns-per-host must be at least 1, not %d", settings.MaxPerHost)
	case settings.LogPath != "" && settings.LogMax < 1000:
		return fmt.Sprintf("-log-max must be at least 1kB, not %s", thousands(settings.LogMax))
	}
	return ""
}
