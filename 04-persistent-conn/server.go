package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"workbook/prime"
)

// A server answers every line of each connection, in order, until
// the client hangs up. Its limits must be above zero: runServer
// checks the flags that set them.
type server struct {
	maxLine     int           // longest request line, '\n' included
	idleTimeout time.Duration // longest silence, or unread reply
	maxConns    int           // connections served at once

	screen     *log.Logger // every request, quoted; nil for none
	requestLog *log.Logger // the log file; nil for none
	errorLog   *log.Logger // the server's own troubles

	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	closing  chan struct{}
	active   sync.WaitGroup
	slots    chan struct{}
	nextID   atomic.Int64
	stopping atomic.Bool
}

func newServer(maxLine int, idleTimeout time.Duration,
	maxConns int) *server {
	return &server{
		maxLine:     maxLine,
		idleTimeout: idleTimeout,
		maxConns:    maxConns,
		errorLog:    log.New(io.Discard, "", 0),
		conns:       make(map[net.Conn]struct{}),
		closing:     make(chan struct{}),
	}
}

// errServerClosed is what serve returns after shutdown.
var errServerClosed = errors.New("server closed")

// serve accepts connections until shutdown, each served by its own
// goroutine. Past maxConns it stops accepting until one ends: new
// clients wait in the system's queue.
func (s *server) serve(listener net.Listener) error {
	// One token for each connection being served.
	s.slots = make(chan struct{}, s.maxConns)
	// Shutdown closes the listener, which ends Accept's wait.
	returned := make(chan struct{})
	defer close(returned)
	go func() {
		select {
		case <-s.closing:
			listener.Close()
		case <-returned:
		}
	}()
	var backoff time.Duration
	for {
		select {
		case s.slots <- struct{}{}:
		case <-s.closing:
			return errServerClosed
		}
		conn, err := listener.Accept()
		if err != nil {
			<-s.slots
			if s.stopping.Load() {
				return errServerClosed
			}
			if !isTemporary(err) {
				return err
			}
			// Out of file descriptors, say: wait a little
			// longer each time rather than spin.
			backoff = min(max(2*backoff, 5*time.Millisecond),
				time.Second)
			s.errorLog.Printf("accept: %v; retrying in %v",
				err, backoff)
			select {
			case <-time.After(backoff):
			case <-s.closing:
				return errServerClosed
			}
			continue
		}
		backoff = 0
		if !s.track(conn) {
			conn.Close()
			<-s.slots
			return errServerClosed
		}
		go func() {
			defer func() { <-s.slots }()
			s.handle(conn)
		}()
	}
}

// isTemporary reports whether an Accept error may go away by itself.
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

// handle answers one connection's requests, in order, until the
// client hangs up, goes quiet, or the server shuts down.
func (s *server) handle(conn net.Conn) {
	defer s.active.Done()
	defer s.untrack(conn)
	defer conn.Close()
	defer func() {
		// A bug must end this connection, not the server.
		if problem := recover(); problem != nil {
			s.errorLog.Printf("panic serving %s: %v",
				conn.RemoteAddr(), problem)
		}
	}()

	id := s.nextID.Add(1)
	// The reader's size is the line limit: ReadSlice fails with
	// ErrBufferFull rather than hold a longer line.
	reader := bufio.NewReaderSize(conn, s.maxLine)
	writer := bufio.NewWriter(deadlineWriter{conn, s.idleTimeout})
	defer writer.Flush()

	for {
		if err := s.armReadDeadline(conn); err != nil {
			return
		}
		line, err := reader.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			s.record(id, conn, line[:min(len(line), 20)], prime.Invalid,
				fmt.Sprintf("... (a line over %d bytes)", s.maxLine))
			// Answered, then the connection is closed.
			_, _ = writer.Write(prime.Invalid.Reply())
			hangUpPolitely(conn, writer)
			return
		}
		if err != nil && (len(line) == 0 || !errors.Is(err, io.EOF)) {
			// The client left, went quiet, or we are
			// stopping. What was answered gets flushed.
			return
		}

		verdict := prime.Judge(line)
		s.record(id, conn, line, verdict, "")
		if _, err := writer.Write(verdict.Reply()); err != nil {
			return
		}

		// Flush only when no complete request is waiting: a
		// pipelined batch goes back in one write, and a
		// client in lock-step gets each reply at once.
		if !hasCompleteLine(reader) {
			if err := writer.Flush(); err != nil {
				return
			}
		}
	}
}

// hasCompleteLine reports whether the reader already holds a whole
// line, which the next ReadSlice returns without waiting.
func hasCompleteLine(reader *bufio.Reader) bool {
	buffered, _ := reader.Peek(reader.Buffered())
	return bytes.IndexByte(buffered, '\n') >= 0
}

// hangUpPolitely sends the last reply and the end of the data, then
// reads and discards what the client still sends, for up to a second.
// Closing with unread bytes would make the system reset the
// connection, and a reset can destroy the reply before it is read.
func hangUpPolitely(conn net.Conn, writer *bufio.Writer) {
	if err := writer.Flush(); err != nil {
		return
	}
	tcp, ok := conn.(*net.TCPConn)
	if !ok || tcp.CloseWrite() != nil {
		return
	}
	if conn.SetReadDeadline(time.Now().Add(time.Second)) != nil {
		return
	}
	_, _ = io.Copy(io.Discard, conn)
}

// record shows one request on the screen and in the log file,
// quoted: a request can hold escape sequences, and the screen may be
// a projector. Each logger writes a line with one Write, under its
// lock, so concurrent connections never mix their lines.
func (s *server) record(id int64, conn net.Conn, line []byte,
	verdict prime.Verdict, note string) {
	if s.screen != nil {
		s.screen.Printf("conn %d sent %q%s: %c", id, line, note, verdict)
	}
	if s.requestLog != nil {
		s.requestLog.Printf("%s %q%s %c", conn.RemoteAddr(), line,
			note, verdict)
	}
}

// armReadDeadline gives the next request idleTimeout to arrive, or
// ends the wait at once if the server is shutting down.
func (s *server) armReadDeadline(conn net.Conn) error {
	deadline := time.Now().Add(s.idleTimeout)
	if err := conn.SetReadDeadline(deadline); err != nil {
		return err
	}
	// Shutdown may have passed by between our check and our
	// deadline: check again, after setting it.
	if s.stopping.Load() {
		return conn.SetReadDeadline(time.Now())
	}
	return nil
}

// deadlineWriter gives each write idleTimeout to complete: a client
// that never reads its replies is disconnected, not waited for.
type deadlineWriter struct {
	conn    net.Conn
	timeout time.Duration
}

func (w deadlineWriter) Write(p []byte) (int, error) {
	deadline := time.Now().Add(w.timeout)
	if err := w.conn.SetWriteDeadline(deadline); err != nil {
		return 0, err
	}
	return w.conn.Write(p)
}

func (s *server) track(conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping.Load() {
		return false
	}
	s.conns[conn] = struct{}{}
	s.active.Add(1)
	return true
}

func (s *server) untrack(conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, conn)
}

// shutdown stops accepting, ends every wait for a request (lines
// already received are still answered), and waits for the handlers
// to finish, or for ctx to end, when it closes what is left.
func (s *server) shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.stopping.Swap(true) {
		close(s.closing)
	}
	for conn := range s.conns {
		// An error means the connection is already closed.
		_ = conn.SetReadDeadline(time.Now())
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

// listenAndReport listens on addr, or says in one line why not.
func listenAndReport(addr string, stderr io.Writer) (net.Listener, bool) {
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		var opError *net.OpError
		if errors.As(err, &opError) {
			err = opError.Err
		}
		fmt.Fprintf(stderr, "server: cannot listen on %s: %v\n",
			addr, err)
		return nil, false
	}
	return listener, true
}

// openLog opens the request log for appending; "" means no log.
// The caller closes the file it returns, if any.
func openLog(path string) (*log.Logger, *os.File, error) {
	if path == "" {
		return nil, nil, nil
	}
	file, err := os.OpenFile(path,
		os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, nil, err
	}
	return log.New(file, "", log.LstdFlags), file, nil
}
