package tcpserver

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
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/internal/testkit"
)

func TestMain(m *testing.M) {
	// The parallel tests wait more than they compute.
	testkit.WaitersInParallel(8)
	goleak.VerifyTestMain(m)
}

// echoUpper answers one line with the same line in capitals, and
// ErrLineTooLong with "TOO LONG\n".
var echoUpper = HandlerFunc(func(c *Conn) {
	line, err := c.ReadLine()
	if errors.Is(err, ErrLineTooLong) {
		c.Writer.WriteString("TOO LONG\n")
		return
	}
	if err != nil {
		return
	}
	c.Writer.Write(bytes.ToUpper(line))
})

// start runs s on a free loopback port and shuts it down when the
// test ends. It returns the address to dial.
func start(t *testing.T, s *Server) string {
	t.Helper()
	if s.ErrorLog == nil {
		s.ErrorLog = log.New(io.Discard, "", 0)
	}
	addr, served := serveInBackground(t, s)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, s.Shutdown(ctx))
		assert.ErrorIs(t, <-served, ErrServerClosed)
	})
	return addr
}

// serveInBackground runs s on a free loopback port, for a test that
// shuts it down itself. It returns the address to dial and where
// Serve's error will come.
func serveInBackground(t *testing.T, s *Server) (string, <-chan error) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- s.Serve(listener) }()
	return listener.Addr().String(), served
}

// exchange sends request on a new connection and returns everything
// the server sends back before it closes.
func exchange(t *testing.T, addr, request string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = conn.Write([]byte(request))
	require.NoError(t, err)
	reply, err := io.ReadAll(conn)
	require.NoError(t, err)
	return string(reply)
}

func TestServesALine(t *testing.T) {
	addr := start(t, &Server{Handler: echoUpper})
	assert.Equal(t, "HELLO\n", exchange(t, addr, "hello\n"))
}

func TestLastLineWithoutNewlineIsALine(t *testing.T) {
	addr := start(t, &Server{Handler: echoUpper})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("no newline"))
	require.NoError(t, err)
	// Closing our side is the end of the line.
	require.NoError(t, conn.(*net.TCPConn).CloseWrite())
	reply, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.Equal(t, "NO NEWLINE", string(reply))
}

func TestManyConcurrentClientsAllAnswered(t *testing.T) {
	testkit.NeedLaptops(t)
	addr := start(t, &Server{Handler: echoUpper})
	// Twenty laptops, ten clients each: within the limit per
	// host, even with each client's last connection still closing
	// when it opens the next.
	const clients, requestsEach, hosts = 200, 5, 20
	var wrong atomic.Int64
	var wait sync.WaitGroup
	for client := range clients {
		wait.Add(1)
		go func() {
			defer wait.Done()
			for request := range requestsEach {
				line := fmt.Sprintf("client %d request %d\n",
					client, request)
				host := fmt.Sprintf("127.0.0.%d", 1+client%hosts)
				got, err := askFrom(host, addr, line)
				if err != nil || got != strings.ToUpper(line) {
					wrong.Add(1)
				}
			}
		}()
	}
	wait.Wait()
	assert.Zero(t, wrong.Load(), "replies wrong or lost")
}

// askFrom is exchange without testing.T, for goroutines, from the
// loopback address host: on Linux, all of 127.0.0.0/8 is this
// machine, so each address can stand for another laptop.
func askFrom(host, addr, request string) (string, error) {
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(host)}}
	conn, err := dialer.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return "", err
	}
	if _, err := conn.Write([]byte(request)); err != nil {
		return "", err
	}
	reply, err := io.ReadAll(conn)
	return string(reply), err
}

func TestHugeLineIsRefusedWithoutBeingHeld(t *testing.T) {
	addr := start(t, &Server{Handler: echoUpper})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))

	before := totalAlloc()

	// 10 MB with no newline, written while we wait for the reply.
	huge := bytes.Repeat([]byte("9"), 10<<20)
	writeDone := make(chan struct{})
	go func() {
		defer close(writeDone)
		// The server may hang up before it has read it all:
		// the write's error is expected, and not the point.
		_, _ = conn.Write(huge)
	}()
	reply, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "TOO LONG\n", reply)
	<-writeDone

	// The server allocated far less than the 10 MB it was sent.
	// (The test's own 10 MB were allocated before the first read.)
	allocated := totalAlloc() - before - uint64(len(huge))
	assert.Less(t, allocated, uint64(2<<20),
		"the server allocated %d bytes for one line", allocated)
}

// totalAlloc is how many bytes the program has allocated so far.
func totalAlloc() uint64 {
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.TotalAlloc
}

func TestIdleClientIsDisconnected(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	addr := start(t, &Server{
		Handler:     echoUpper,
		IdleTimeout: 100 * time.Millisecond,
	})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	// We say nothing. The server hangs up: Read sees the end.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	n, err := conn.Read(make([]byte, 16))
	assert.Zero(t, n)
	assert.ErrorIs(t, err, io.EOF)
}

func TestShutdownFinishesTheRequestInFlight(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	received := make(chan struct{})
	release := make(chan struct{})
	slow := HandlerFunc(func(c *Conn) {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		close(received)
		<-release
		c.Writer.Write(bytes.ToUpper(line))
	})
	s := &Server{Handler: slow, ErrorLog: log.New(io.Discard, "", 0)}
	addr, served := serveInBackground(t, s)

	// One client with a request in flight, one idle.
	busy, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer busy.Close()
	_, err = busy.Write([]byte("in flight\n"))
	require.NoError(t, err)
	<-received
	idle, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer idle.Close()

	shutdownDone := make(chan error, 1)
	go func() { shutdownDone <- s.Shutdown(context.Background()) }()

	// The idle client is let go while the busy one still works.
	require.NoError(t, idle.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = idle.Read(make([]byte, 16))
	assert.ErrorIs(t, err, io.EOF)
	select {
	case <-shutdownDone:
		t.Fatal("Shutdown returned before the request was answered")
	default:
	}

	// New clients are no longer accepted.
	assert.ErrorIs(t, <-served, ErrServerClosed)
	_, err = net.Dial("tcp", addr)
	assert.Error(t, err)

	close(release)
	require.NoError(t, busy.SetReadDeadline(time.Now().Add(5*time.Second)))
	reply, err := io.ReadAll(busy)
	require.NoError(t, err)
	assert.Equal(t, "IN FLIGHT\n", string(reply))
	assert.NoError(t, <-shutdownDone)
}

func TestShutdownGivesUpWhenTheContextEndsAndCloseStopsTheRest(t *testing.T) {
	release := make(chan struct{})
	stuck := HandlerFunc(func(c *Conn) { <-release })
	s := &Server{Handler: stuck, ErrorLog: log.New(io.Discard, "", 0)}
	addr, served := serveInBackground(t, s)

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	// Wait until the handler runs.
	require.Eventually(t, func() bool { return connsOf(s) == 1 },
		5*time.Second, time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, s.Shutdown(ctx), context.Canceled)
	assert.ErrorIs(t, <-served, ErrServerClosed)
	// Shutdown left the connection be.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
	_, err = conn.Read(make([]byte, 1))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)

	// Close gives the stuck handler its grace, then closes the
	// connection under it.
	require.NoError(t, s.Close())
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = conn.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)
	close(release)
	s.active.Wait()
}

// connsOf is how many connections s serves.
func connsOf(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func TestPanicEndsOnlyThatConnection(t *testing.T) {
	var errorLog testkit.SyncBuffer
	panicky := HandlerFunc(func(c *Conn) {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		if string(line) == "boom\n" {
			panic("the handler has a bug")
		}
		c.Writer.Write(bytes.ToUpper(line))
	})
	addr := start(t, &Server{
		Handler:  panicky,
		ErrorLog: log.New(&errorLog, "", 0),
	})

	assert.Equal(t, "", exchange(t, addr, "boom\n"))
	assert.Equal(t, "STILL HERE\n", exchange(t, addr, "still here\n"))

	assert.Contains(t, errorLog.String(), "panic serving 127.0.0.1:")
	assert.Contains(t, errorLog.String(), "the handler has a bug")
	assert.Equal(t, 1, strings.Count(errorLog.String(), "\n"))
}

func TestAPermanentAcceptErrorEndsServe(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	// Closed behind the server's back: Accept can never succeed.
	listener.Close()
	s := &Server{Handler: echoUpper}
	err = s.Serve(listener)
	assert.ErrorIs(t, err, net.ErrClosed)
}

func TestServeAfterShutdownReturnsAtOnce(t *testing.T) {
	s := &Server{Handler: echoUpper}
	require.NoError(t, s.Shutdown(context.Background()))
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	assert.ErrorIs(t, s.Serve(listener), ErrServerClosed)
}

// echoEach answers every line with the same line in capitals, and
// flushes when no other line is waiting, as chapter 04's handler
// does. It counts the flushes.
func echoEach(flushes *atomic.Int64) HandlerFunc {
	return func(c *Conn) {
		for {
			line, err := c.ReadLine()
			if err != nil {
				return
			}
			c.Writer.Write(bytes.ToUpper(line))
			if !c.HasLine() {
				flushes.Add(1)
				if c.Writer.Flush() != nil {
					return
				}
			}
		}
	}
}

func TestHasLineSeesWhatIsAlreadyBuffered(t *testing.T) {
	var flushes atomic.Int64
	addr := start(t, &Server{Handler: echoEach(&flushes)})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	reader := bufio.NewReader(conn)

	// One line, one flush.
	_, err = conn.Write([]byte("a\n"))
	require.NoError(t, err)
	reply, err := reader.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "A\n", reply)
	assert.Equal(t, int64(1), flushes.Load())

	// Three lines in one write, and half of a fourth: the three
	// replies leave together, the half waits for its end.
	_, err = conn.Write([]byte("b\nc\nd\ne"))
	require.NoError(t, err)
	replies := make([]byte, 6)
	_, err = io.ReadFull(reader, replies)
	require.NoError(t, err)
	assert.Equal(t, "B\nC\nD\n", string(replies))
	assert.Equal(t, int64(2), flushes.Load())
	_, err = conn.Write([]byte("\n"))
	require.NoError(t, err)
	reply, err = reader.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "E\n", reply)
	assert.Equal(t, int64(3), flushes.Load())
}

func TestShutdownAnswersTheLinesAlreadyReceived(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	received := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	// Like echoEach, but it stops after the first line until the
	// test releases it, so that shutdown begins with two lines
	// waiting in the buffer.
	slow := HandlerFunc(func(c *Conn) {
		for {
			line, err := c.ReadLine()
			if err != nil {
				return
			}
			once.Do(func() {
				close(received)
				<-release
			})
			c.Writer.Write(bytes.ToUpper(line))
		}
	})
	s := &Server{Handler: slow, ErrorLog: log.New(io.Discard, "", 0)}
	addr, served := serveInBackground(t, s)

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("one\ntwo\nthree\n"))
	require.NoError(t, err)
	<-received

	shutdownDone := make(chan error, 1)
	go func() { shutdownDone <- s.Shutdown(context.Background()) }()
	assert.ErrorIs(t, <-served, ErrServerClosed)
	close(release)

	// All three answered, then the end: no wait for a fourth.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	replies, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.Equal(t, "ONE\nTWO\nTHREE\n", string(replies))
	assert.NoError(t, <-shutdownDone)
}
