package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	goleak.VerifyTestMain(m)
}

// startServer runs a server on a free loopback port until the test
// ends, and returns it with its address.
func startServer(t testing.TB, configure func(*server)) (*server, string) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := newServer(1024, 30*time.Second, 1000)
	if configure != nil {
		configure(s)
	}
	served := make(chan error, 1)
	go func() { served <- s.serve(listener) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(),
			10*time.Second)
		defer cancel()
		assert.NoError(t, s.shutdown(ctx))
		assert.ErrorIs(t, <-served, errServerClosed)
	})
	return s, listener.Addr().String()
}

func dialTest(t testing.TB, addr string) net.Conn {
	t.Helper()
	conn, err := dial(addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestDemoTranscript(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	testkit.CheckTranscript(t, "README.md", "demo", stdout.String())
}

func TestEveryLineAnsweredInOrderOnOneConnection(t *testing.T) {
	_, addr := startServer(t, nil)
	conn := dialTest(t, addr)
	w := newWorkload(1000)
	assert.NoError(t, askLockstep(conn, w.requests, w.check))
}

func TestPipelinedRepliesComeInRequestOrder(t *testing.T) {
	_, addr := startServer(t, nil)
	conn := dialTest(t, addr)
	w := newWorkload(100_000)
	assert.NoError(t, askPipelined(conn, w.requests, w.check))
}

func TestPairsOfRequestsAnsweredInOrder(t *testing.T) {
	_, addr := startServer(t, nil)
	assert.NoError(t, benchPairs(addr, newWorkload(101)))
}

func TestMixedRequestsOnOneConnection(t *testing.T) {
	_, addr := startServer(t, nil)
	conn := dialTest(t, addr)
	_, err := conn.Write([]byte("17\r\n4j\n\n  29\t\n-5\n" +
		"170141183460469231731687303715884105727\n"))
	require.NoError(t, err)
	reader := bufio.NewReader(conn)
	for _, want := range []string{"T\n", "E\n", "E\n", "T\n", "F\n", "T\n"} {
		got, err := reader.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

// countingListener counts the writes made on the connections it
// accepts.
type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{conn, l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

func TestAPipelinedBatchGoesBackInFewWrites(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var writes atomic.Int64
	s := newServer(1024, 30*time.Second, 10)
	served := make(chan error, 1)
	go func() { served <- s.serve(countingListener{inner, &writes}) }()
	defer func() {
		require.NoError(t, s.shutdown(context.Background()))
		<-served
	}()

	// 100 requests of 3 bytes, in one write.
	conn := dialTest(t, inner.Addr().String())
	batch := bytes.Repeat([]byte("17\n"), 100)
	_, err = conn.Write(batch)
	require.NoError(t, err)
	replies := make([]byte, 200)
	_, err = io.ReadFull(conn, replies)
	require.NoError(t, err)
	assert.Equal(t, bytes.Repeat([]byte("T\n"), 100), replies)
	// One write when the batch arrives in one piece; a few if the
	// network splits it; never one for each reply.
	assert.Less(t, writes.Load(), int64(10))
}

func TestFiveHundredClientsAHundredRequestsEach(t *testing.T) {
	_, addr := startServer(t, nil)
	const clients, each = 500, 100
	w := newWorkload(clients * each)
	var wait sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		part, check := w.slice(c*each, (c+1)*each)
		wait.Add(1)
		go func() {
			defer wait.Done()
			conn, err := dial(addr)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			errs <- askLockstep(conn, part.requests, check)
		}()
	}
	wait.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

func TestANewClientIsAnsweredBesideTwoThousandIdleOnes(t *testing.T) {
	const idle = 2000
	s, addr := startServer(t, func(s *server) {
		s.maxConns = idle + 1
	})
	for range idle {
		dialTest(t, addr)
	}
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == idle
	}, 10*time.Second, 10*time.Millisecond)

	conn := dialTest(t, addr)
	w := newWorkload(10)
	assert.NoError(t, askLockstep(conn, w.requests, w.check))
}

func TestALineTooLongGetsEAndAHangUp(t *testing.T) {
	_, addr := startServer(t, nil)
	conn := dialTest(t, addr)

	// A good request first, then 10 MB without a newline.
	go func() {
		_, _ = conn.Write([]byte("17\n"))
		_, _ = conn.Write(bytes.Repeat([]byte("9"), 10<<20))
	}()
	replies, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.Equal(t, "T\nE\n", string(replies))

	// Everybody else is unaffected.
	other := dialTest(t, addr)
	w := newWorkload(10)
	assert.NoError(t, askLockstep(other, w.requests, w.check))
}

func TestAnIdleClientIsDisconnected(t *testing.T) {
	_, addr := startServer(t, func(s *server) {
		s.idleTimeout = 100 * time.Millisecond
	})
	conn := dialTest(t, addr)
	w := newWorkload(3)
	require.NoError(t, askLockstep(conn, w.requests, w.check))

	// Now silence: the server hangs up.
	n, err := conn.Read(make([]byte, 1))
	assert.Zero(t, n)
	assert.ErrorIs(t, err, io.EOF)
}

func TestAClientThatNeverReadsCannotMakeTheServerBuffer(t *testing.T) {
	s, addr := startServer(t, func(s *server) {
		s.idleTimeout = 2 * time.Second
	})
	conn := dialTest(t, addr)

	var before runtimeMemory
	before.read()

	// Write requests and never read a reply, until the writes
	// stop going through: TCP's flow control has pushed back.
	chunk := bytes.Repeat([]byte("17\n"), 20000)
	written := 0
	for written < 1<<30 {
		require.NoError(t, conn.SetWriteDeadline(
			time.Now().Add(300*time.Millisecond)))
		n, err := conn.Write(chunk)
		written += n
		if err != nil {
			break
		}
	}
	var after runtimeMemory
	after.read()

	// Stopped by the buffers of the two sockets, a few MB, far
	// below the 1 GiB the loop was willing to send.
	assert.Less(t, written, 64<<20, "wrote %d bytes", written)
	// And the server's memory did not follow.
	assert.Less(t, after.heapInUse, before.heapInUse+8<<20)
	t.Logf("the writes stopped after %d bytes", written)

	// The server gives up on the client after its timeout.
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 0
	}, 10*time.Second, 50*time.Millisecond)
}

func TestShutdownAnswersWhatWasReceived(t *testing.T) {
	release := make(chan struct{})
	var screen testkit.SyncBuffer
	s, addr := startServer(t, func(s *server) {
		// The screen blocks the server until we release it,
		// so a request is in flight when shutdown starts.
		s.screen = log.New(blockingWriter{&screen, release}, "", 0)
	})
	busy := dialTest(t, addr)
	_, err := busy.Write([]byte("17\n29\n4\n"))
	require.NoError(t, err)
	idle := dialTest(t, addr)
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 2
	}, 5*time.Second, time.Millisecond)

	done := make(chan error, 1)
	go func() { done <- s.shutdown(context.Background()) }()

	// The idle connection is closed at once.
	_, err = idle.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)

	// The busy one gets all three replies, then the end.
	close(release)
	replies, err := io.ReadAll(busy)
	require.NoError(t, err)
	assert.Equal(t, "T\nT\nF\n", string(replies))
	assert.NoError(t, <-done)
}

// blockingWriter waits for release before its first write.
type blockingWriter struct {
	w       io.Writer
	release <-chan struct{}
}

func (b blockingWriter) Write(p []byte) (int, error) {
	<-b.release
	return b.w.Write(p)
}

func TestTheScreenShowsRequestsQuoted(t *testing.T) {
	var screen testkit.SyncBuffer
	_, addr := startServer(t, func(s *server) {
		s.screen = log.New(&screen, "", 0)
	})
	conn := dialTest(t, addr)
	_, err := conn.Write([]byte("\x1b[2J\x1b[31m7\n\x00\xff\n"))
	require.NoError(t, err)
	replies := make([]byte, 4)
	_, err = io.ReadFull(conn, replies)
	require.NoError(t, err)
	assert.Equal(t, "E\nE\n", string(replies))
	shown := screen.String()
	assert.Contains(t, shown, `"\x1b[2J\x1b[31m7\n": E`)
	assert.Contains(t, shown, `"\x00\xff\n": E`)
	assert.NotContains(t, shown, "\x1b")
}

func TestServerCommandLogsAndStopsGracefully(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	addr, stop := testkit.StartServer(t, run, "-log", logPath)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(),
		[]string{"client", "-addr", addr, "-pipeline", "7", "8", "x"},
		&stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Equal(t, `client | "7\n" -> "T\n" prime`+"\n"+
		`client | "8\n" -> "F\n" not prime`+"\n"+
		`client | "x\n" -> "E\n" not an integer`+"\n",
		stdout.String())

	stopped := stop()
	assert.Equal(t, 0, stopped.Code, "stderr: %s", stopped.Stderr)
	assert.Contains(t, stopped.Stdout, `server | conn 1 sent "7\n": T`)
	assert.Contains(t, stopped.Stdout, "server | stopped")

	content, err := os.ReadFile(logPath)
	require.NoError(t, err)
	shape := regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ` +
		`127\.0\.0\.1:\d+ "(7|8|x)\\n" [TFE]$`)
	assert.Len(t, shape.FindAllString(string(content), -1), 3)
}

func TestServerCommandReportsAPortInUse(t *testing.T) {
	testkit.CheckPortInUse(t, run, "-log", "")
}

func TestCommandLineErrors(t *testing.T) {
	for _, args := range [][]string{
		{"serve"},
		{"server", "-max-line", "0"},
		{"server", "-max-conns", "0"},
		{"bench", "-n", "0"},
		{"client", "-nope"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		assert.Equal(t, 2, code, "%v", args)
		assert.NotEmpty(t, stderr.String(), "%v", args)
	}
}

func TestBenchCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(),
		[]string{"bench", "-n", "200", "-c", "4", "-runs", "1"},
		&stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	output := stdout.String()
	for _, mode := range []string{
		"new connection per request", "one connection, lock-step",
		"one connection, pipelined", "4 connections, lock-step",
		"one connection, in pairs",
	} {
		// Once in the table, once in the chart.
		assert.Equal(t, 2, strings.Count(output, mode), mode)
	}
	assert.Contains(t, output, "every reply checked")
}

func TestBenchRejectsAWrongReply(t *testing.T) {
	w := newWorkload(3)
	assert.NoError(t, w.check(1, []byte("T\n")))
	assert.ErrorContains(t, w.check(1, []byte("F\n")),
		`reply "F\n" to "2\n", want "T\n"`)
}

func TestThousands(t *testing.T) {
	assert.Equal(t, "7", thousands(7))
	assert.Equal(t, "999", thousands(999.4))
	assert.Equal(t, "1,000", thousands(999.6))
	assert.Equal(t, "1,629,203", thousands(1629203))
}

func TestThreeDigits(t *testing.T) {
	assert.Equal(t, 362*time.Nanosecond, threeDigits(362*time.Nanosecond))
	assert.Equal(t, 17200*time.Nanosecond, threeDigits(17249*time.Nanosecond))
	assert.Equal(t, 21600*time.Microsecond,
		threeDigits(21559700*time.Nanosecond))
}

func TestThePythonServerSpeaksTheProtocol(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	stop, addr, err := startPythonServer()
	require.NoError(t, err)
	defer stop()
	w := newWorkload(500)
	assert.NoError(t, benchLockstep(addr, w))
	assert.NoError(t, benchPipelined(addr, w))
	assert.NoError(t, benchPairs(addr, newWorkload(6)))
}
