package tcpserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dialTest connects to addr, with a deadline for the whole test.
func dialTest(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	return conn
}

// askOn sends line on conn and reads one line back.
func askOn(t *testing.T, conn net.Conn, reader *bufio.Reader, line string) string {
	t.Helper()
	_, err := conn.Write([]byte(line))
	require.NoError(t, err)
	reply, err := reader.ReadString('\n')
	require.NoError(t, err)
	return reply
}

// endings records why each connection ended (Conn.Err), in order.
type endings struct {
	reasons chan error
}

// wrap is handler, then the connection's reason to end, recorded.
func (e endings) wrap(handler HandlerFunc) HandlerFunc {
	return func(c *Conn) {
		handler(c)
		_ = c.Writer.Flush()
		e.reasons <- c.Err()
	}
}

// next is the next connection's reason to end.
func (e endings) next(t *testing.T) error {
	t.Helper()
	select {
	case err := <-e.reasons:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("no connection ended within 5 seconds")
		return nil
	}
}

func TestErrSaysWhyAConnectionEnded(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	var flushes atomic.Int64
	ended := endings{make(chan error, 10)}
	addr := start(t, &Server{
		Handler:      ended.wrap(echoEach(&flushes)),
		IdleTimeout:  100 * time.Millisecond,
		MaxLineBytes: 16,
	})

	// The client closes: nothing went wrong.
	conn := dialTest(t, addr)
	assert.Equal(t, "A\n", askOn(t, conn, bufio.NewReader(conn), "a\n"))
	conn.Close()
	assert.NoError(t, ended.next(t))

	// The client says nothing for too long.
	conn = dialTest(t, addr)
	_, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.ErrorIs(t, ended.next(t), ErrIdleTimeout)

	// A line too long.
	conn = dialTest(t, addr)
	_, err = conn.Write([]byte(strings.Repeat("x", 40)))
	require.NoError(t, err)
	_, err = io.ReadAll(conn)
	require.NoError(t, err)
	assert.ErrorIs(t, ended.next(t), ErrLineTooLong)
}

func TestIdleTimeoutCountsForTheWholeLine(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	ended := endings{make(chan error, 1)}
	addr := start(t, &Server{
		Handler:     ended.wrap(echoUpper),
		IdleTimeout: 300 * time.Millisecond,
	})
	conn := dialTest(t, addr)
	// One byte every 50 ms, never a '\n': the client is never
	// silent long, yet the line is never done. The server ends it.
	for range 100 {
		if _, err := conn.Write([]byte("x")); err != nil {
			break
		}
		if len(ended.reasons) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	assert.ErrorIs(t, ended.next(t), ErrIdleTimeout)
}

// MaxLineBytes bytes with no newline among them are too long, even
// when the client's end of data comes right after them: one byte
// fewer is a last line, answered.
func TestMaxLineBytesWithoutANewlineIsTooLongEvenAtTheEnd(t *testing.T) {
	addr := start(t, &Server{Handler: echoUpper, MaxLineBytes: 16})
	for _, c := range []struct{ request, reply string }{
		{strings.Repeat("x", 15) + "\n", strings.Repeat("X", 15) + "\n"},
		{strings.Repeat("x", 15), strings.Repeat("X", 15)},
		{strings.Repeat("x", 16), "TOO LONG\n"},
		{strings.Repeat("x", 16) + "\n", "TOO LONG\n"},
	} {
		conn := dialTest(t, addr)
		_, err := conn.Write([]byte(c.request))
		require.NoError(t, err)
		require.NoError(t, conn.(*net.TCPConn).CloseWrite())
		reply, err := io.ReadAll(conn)
		require.NoError(t, err)
		assert.Equal(t, c.reply, string(reply), "%q", c.request)
	}
}

// gated lets handler begin only when the test closes the returned
// channel: until then the server reads nothing, and what the client
// sends waits in the system's buffer.
func gated(handler HandlerFunc) (HandlerFunc, chan struct{}) {
	gate := make(chan struct{})
	return func(c *Conn) {
		<-gate
		handler(c)
	}, gate
}

// shutdownInBackground starts s.Shutdown with a timeout and waits
// until it has begun.
func shutdownInBackground(t *testing.T, s *Server, timeout time.Duration) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		done <- s.Shutdown(ctx)
	}()
	require.Eventually(t, func() bool { return s.state.Load() != serving },
		5*time.Second, time.Millisecond)
	return done
}

func TestShutdownAnswersLinesStillInTheSystemsBuffer(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	var flushes atomic.Int64
	handler, gate := gated(echoEach(&flushes))
	s := &Server{Handler: handler}
	addr, served := serveInBackground(t, s)
	conn := dialTest(t, addr)

	// 5,000 lines, 50 KB: far more than the server's buffer. The
	// server has read none of them when the shutdown begins.
	var sent, want strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&sent, "line %d\n", i)
		fmt.Fprintf(&want, "LINE %d\n", i)
	}
	_, err := conn.Write([]byte(sent.String()))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return connsOf(s) == 1 }, 5*time.Second, time.Millisecond)
	shutdownDone := shutdownInBackground(t, s, 10*time.Second)
	close(gate)

	// Every line answered, in order, then the end: no reset.
	replies, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.Equal(t, want.String(), string(replies))
	assert.NoError(t, <-shutdownDone)
	assert.ErrorIs(t, <-served, ErrServerClosed)
}

func TestShutdownAnswersAOneShotRequestStillInTheSystemsBuffer(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	handler, gate := gated(echoUpper)
	s := &Server{Handler: handler}
	addr, served := serveInBackground(t, s)
	conn := dialTest(t, addr)

	// The request, and more the one-shot server never reads.
	_, err := conn.Write([]byte("one\ntwo\nthree\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return connsOf(s) == 1 }, 5*time.Second, time.Millisecond)
	shutdownDone := shutdownInBackground(t, s, 10*time.Second)
	close(gate)

	// The reply, then the end: the unread lines cause no reset.
	replies, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.Equal(t, "ONE\n", string(replies))
	assert.NoError(t, <-shutdownDone)
	assert.ErrorIs(t, <-served, ErrServerClosed)
}

// slowEach answers every line in capitals, 20 ms after it arrives,
// flushing when no line waits.
var slowEach = HandlerFunc(func(c *Conn) {
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
		c.Writer.Write(bytes.ToUpper(line))
		if !c.HasLine() && c.Writer.Flush() != nil {
			return
		}
	}
})

// A shutdown that runs out of time, then Close, as the classroom's
// Ctrl-C does: each client gets its replies so far, in order, then
// the end of the data, never a reset, though every client still has
// hundreds of lines waiting.
func TestShutdownOutOfTimeThenCloseEndsEveryClientCleanly(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	s := &Server{Handler: slowEach}
	addr, served := serveInBackground(t, s)
	const requests = 1000
	var conns []net.Conn
	for range 4 {
		conn := dialTest(t, addr)
		_, err := conn.Write(bytes.Repeat([]byte("slow\n"), requests))
		require.NoError(t, err)
		conns = append(conns, conn)
	}
	require.Eventually(t, func() bool { return connsOf(s) == 4 }, 5*time.Second, time.Millisecond)

	assert.ErrorIs(t, <-shutdownInBackground(t, s, 300*time.Millisecond), context.DeadlineExceeded)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	for _, conn := range conns {
		replies, err := io.ReadAll(conn)
		require.NoError(t, err)
		conn.Close()
		assert.Less(t, len(replies), requests*len("SLOW\n"))
		assert.Equal(t, strings.Repeat("SLOW\n", len(replies)/len("SLOW\n")), string(replies))
	}
	assert.NoError(t, <-closed)
	assert.ErrorIs(t, <-served, ErrServerClosed)
}

func TestTheBuffersAreMaxLineBytesAndAFewHundredReplies(t *testing.T) {
	var flushes atomic.Int64
	got := make(chan *Conn, 1)
	handler := echoEach(&flushes)
	s := &Server{Handler: HandlerFunc(func(c *Conn) {
		got <- c
		handler(c)
	})}
	addr := start(t, s)
	conn := dialTest(t, addr)
	reader := bufio.NewReader(conn)
	assert.Equal(t, "A\n", askOn(t, conn, reader, "a\n"))
	served := <-got
	assert.Equal(t, readBytes, served.reader.Size())
	assert.Equal(t, writeBytes, served.Writer.Size())

	// 100 KB of short lines in one write, every reply read, in
	// order: the buffer stays as it was.
	batch := strings.Repeat("x\n", 50000)
	go func() { _, _ = conn.Write([]byte(batch)) }()
	replies := make([]byte, len(batch))
	_, err := io.ReadFull(reader, replies)
	require.NoError(t, err)
	assert.Equal(t, strings.ToUpper(batch), string(replies))
	assert.Equal(t, readBytes, served.reader.Size())
}
