package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/03-server-framework/classroom"
	"workbook/03-server-framework/command"
	"workbook/internal/testkit"
)

func TestMain(m *testing.M) {
	// The bench starts this chapter's server by running its own
	// executable again, which in the tests is this test binary:
	// asked to, it serves instead of testing.
	if os.Getenv(serverProcessEnv) != "" {
		command.Main(run)
	}
	// The dead peer demonstration's client, likewise.
	if addrs := os.Getenv(deadPeerClientEnv); addrs != "" {
		deadPeerClient(addrs)
		return
	}
	// The parallel tests wait more than they compute.
	testkit.WaitersInParallel(8)
	goleak.VerifyTestMain(m)
}

// startServer runs this chapter's server, with the default settings,
// on a free loopback port until the test ends, and returns its
// address.
func startServer(t testing.TB) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	serveOn(t, listener, quiet(), io.Discard)
	return listener.Addr().String()
}

// quiet is the default settings, without the screen's requests or
// a log file.
func quiet() classroom.Settings {
	settings := classroom.Defaults()
	settings.Quiet = true
	settings.Log = "off"
	return settings
}

// serveOn runs this chapter's server on listener until the test
// ends, its errors going to stderr.
func serveOn(t testing.TB, listener net.Listener, settings classroom.Settings, stderr io.Writer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- classroom.Run(ctx, settings, listener, io.Discard, stderr, serve)
	}()
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, 0, <-code)
	})
}

func dialTest(t testing.TB, addr string) net.Conn {
	t.Helper()
	conn, err := dial(addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// dialFrom is dialTest from the loopback address of the n-th laptop:
// on Linux, all of 127.0.0.0/8 is this machine, so 127.0.0.1,
// 127.0.0.2... stand for laptops, each with its own limit of
// connections.
func dialFrom(t testing.TB, n int, addr string) net.Conn {
	t.Helper()
	testkit.NeedLaptops(t)
	conn, err := dialAs(laptop(n), addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// laptop is the loopback address of the n-th laptop, n from 0.
func laptop(n int) string {
	return fmt.Sprintf("127.0.%d.%d", n/250, 1+n%250)
}

// dialAs is dial from the local address host.
func dialAs(host, addr string) (net.Conn, error) {
	dialer := net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(host)},
		Timeout:   5 * time.Second,
	}
	conn, err := dialer.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func TestDemoTranscript(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	testkit.CheckTranscript(t, "README.md", "demo", stdout.String())
}

func TestEveryLineAnsweredInOrderOnOneConnection(t *testing.T) {
	addr := startServer(t)
	conn := dialTest(t, addr)
	w := newWorkload(1000)
	assert.NoError(t, askLockstep(conn, w.requests, w.check))
}

func TestPipelinedRepliesComeInRequestOrder(t *testing.T) {
	addr := startServer(t)
	conn := dialTest(t, addr)
	w := newWorkload(100_000)
	assert.NoError(t, askPipelined(conn, w.requests, w.check))
}

func TestPairsOfRequestsAnsweredInOrder(t *testing.T) {
	addr := startServer(t)
	assert.NoError(t, benchPairs(addr, newWorkload(101)))
}

func TestMixedRequestsOnOneConnection(t *testing.T) {
	addr := startServer(t)
	conn := dialTest(t, addr)
	_, err := conn.Write([]byte("17\r\n4j\n\n  29\t\n-5\n170141183460469231731687303715884105727\n"))
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
	serveOn(t, countingListener{inner, &writes}, quiet(), io.Discard)

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
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	addr := startServer(t)
	// A class: twenty laptops, twenty-five clients each.
	testkit.NeedLaptops(t)
	const clients, each, laptops = 500, 100, 20
	w := newWorkload(clients * each)
	var wait sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		part := w.slice(c*each, (c+1)*each)
		wait.Add(1)
		go func() {
			defer wait.Done()
			conn, err := dialAs(laptop(c%laptops), addr)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			errs <- askLockstep(conn, part.requests, part.check)
		}()
	}
	wait.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

func TestANewClientIsAnsweredBesideTwoThousandIdleOnes(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	// A class of 200 laptops, ten connections each.
	const idle, each = 2000, 10
	addr := startServer(t)

	// Each asks once, so that the server is surely serving it,
	// then stays connected, silent.
	one := newWorkload(1)
	for i := range idle {
		conn := dialFrom(t, i/each, addr)
		require.NoError(t, askLockstep(conn, one.requests, one.check))
	}

	// A newcomer, from a laptop of its own.
	conn := dialFrom(t, idle/each, addr)
	w := newWorkload(10)
	assert.NoError(t, askLockstep(conn, w.requests, w.check))
}

// The framework's tests cover the limit itself; this one covers the
// handler's answer to it.
func TestALineTooLongGetsEAndAHangUp(t *testing.T) {
	addr := startServer(t)
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

// memoryInUse is the memory of the heap and of the goroutines'
// stacks, after a garbage collection.
func memoryInUse() (heap, stacks uint64) {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapInuse, stats.StackInuse
}

// connectionsServed counts the server's goroutines that serve a
// connection.
func connectionsServed() int {
	stacks := make([]byte, 1<<20)
	n := runtime.Stack(stacks, true)
	return bytes.Count(stacks[:n], []byte("tcpserver.(*Server).serve("))
}

func TestAClientThatNeverReadsCannotMakeTheServerBuffer(t *testing.T) {
	// It measures the whole process's memory and goroutines: in a
	// process of its own, beside the other tests.
	if !testkit.Alone(t) {
		return
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	settings := quiet()
	settings.IdleTimeout = 2 * time.Second
	var errorLog testkit.SyncBuffer
	serveOn(t, listener, settings, &errorLog)
	conn := dialTest(t, listener.Addr().String())

	heapBefore, _ := memoryInUse()

	// Write requests and never read a reply, until the writes
	// stop going through: TCP's flow control has pushed back. One
	// write that timed out without a byte may only have met a
	// server busy elsewhere (the machine may be loaded): the writes
	// have stopped when three in a row, close to a second, got
	// nothing through.
	chunk := bytes.Repeat([]byte("17\n"), 20000)
	written, stuck := 0, 0
	for written < 1<<30 && stuck < 3 {
		require.NoError(t, conn.SetWriteDeadline(time.Now().Add(300*time.Millisecond)))
		n, err := conn.Write(chunk)
		written += n
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if n == 0 {
			stuck++
		} else {
			stuck = 0
		}
	}
	heapAfter, _ := memoryInUse()

	// Stopped by the buffers of the two sockets, a few MB, far
	// below the 1 GiB the loop was willing to send.
	assert.Less(t, written, 64<<20, "wrote %d bytes", written)
	// And the server's memory did not follow.
	assert.Less(t, heapAfter, heapBefore+8<<20)
	t.Logf("the writes stopped after %d bytes", written)

	// The server's write is stuck too; it gives up on the client
	// after its timeout: the connection's goroutine ends.
	require.Eventually(t, func() bool { return connectionsServed() == 0 },
		10*time.Second, 50*time.Millisecond)
}

func TestCtrlCUnderAFloodGivesRepliesInOrderThenACleanEnd(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	addr, stop := testkit.StartServer(t, run, "-log", logPath, "-quiet")
	conn := dialTest(t, addr)

	// Read every reply until the end, while the requests go out.
	w := newWorkload(20000)
	type result struct {
		replies []byte
		err     error
	}
	read := make(chan result, 1)
	answering := make(chan struct{})
	go func() {
		first := make([]byte, 2)
		_, err := io.ReadFull(conn, first)
		close(answering)
		if err != nil {
			read <- result{nil, err}
			return
		}
		rest, err := io.ReadAll(conn)
		read <- result{append(first, rest...), err}
	}()
	var batch bytes.Buffer
	for _, request := range w.requests {
		batch.Write(request)
	}
	_, err := conn.Write(batch.Bytes())
	require.NoError(t, err)

	// Ctrl-C while the requests are arriving, or waiting in the
	// buffers: the server exits 0. First wait for the first
	// reply: a connection the server has not accepted yet is
	// reset when the listener closes, which is another matter.
	select {
	case <-answering:
	case <-time.After(10 * time.Second):
		t.Fatal("no reply within 10 seconds")
	}
	stopped := stop()
	assert.Equal(t, 0, stopped.Code, "stderr: %s", stopped.Stderr)

	// The client got replies in order, all correct, then the end
	// of the data: no reset.
	got := <-read
	require.NoError(t, got.err)
	require.Zero(t, len(got.replies)%2, "a reply cut in half")
	answered := len(got.replies) / 2
	for i := range answered {
		require.NoError(t, w.check(i, got.replies[2*i:2*i+2]))
	}
	// And the log has one line for each of them.
	logged, err := os.ReadFile(logPath)
	require.NoError(t, err)
	assert.Equal(t, answered, bytes.Count(logged, []byte("\n")))
	t.Logf("%d of %d requests answered before the end", answered, len(w.requests))
}

func TestServerCommandLogsAndStopsGracefully(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
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
	assert.Regexp(t, `server \| 127\.0\.0\.1:\d+ sent "7\\n": T`, stopped.Stdout)
	assert.Contains(t, stopped.Stdout, "server | stopped")

	content, err := os.ReadFile(logPath)
	require.NoError(t, err)
	shape := regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d 127\.0\.0\.1:\d+ "(7|8|x)\\n" [TFE]$`)
	assert.Len(t, shape.FindAllString(string(content), -1), 3)
}

// TIME_WAIT stays with the side that closes first. This server
// waits for the client to hang up, so it is the client's side of
// each connection that waits there, holding the client's port.
func TestTimeWaitStaysOnTheClientsSide(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	addr, stop := testkit.StartServer(t, run, "-log", "off")
	defer stop()
	_, portText, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	port, err := strconv.Atoi(portText)
	require.NoError(t, err)
	// The port may have served before: entries from those old
	// connections can still be waiting. Count only the new ones.
	oldServerSide, oldClientSide := testkit.TimeWait(t, port)

	for range 3 {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(),
			[]string{"client", "-addr", addr, "7", "8"}, &stdout, &stderr)
		require.Equal(t, 0, code, "stderr: %s", stderr.String())
	}

	serverSide, clientSide := testkit.WaitForTimeWait(t, port,
		func(serverSide, clientSide int) bool { return clientSide-oldClientSide >= 3 })
	serverSide -= oldServerSide
	clientSide -= oldClientSide
	t.Logf("in TIME_WAIT, new: %d on the server's side, %d on the client's", serverSide, clientSide)
	assert.Less(t, serverSide, clientSide)
}

func TestServerCommandReportsAPortInUse(t *testing.T) {
	testkit.CheckPortInUse(t, run, "-log", "off")
}

func TestCommandLineErrors(t *testing.T) {
	for _, args := range [][]string{
		{"serve"},
		{"server", "-max-line-bytes", "0"},
		{"server", "-max-conns", "0"},
		{"bench", "-n", "0"},
		{"bench", "-python-backlog", "0"},
		{"client", "-nope"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		assert.Equal(t, 2, code, "%v", args)
		assert.NotEmpty(t, stderr.String(), "%v", args)
	}
}

func TestBenchCommand(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
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

// The bench measures this chapter's server in a process of its own,
// as it measures Python's: the process answers, and exits cleanly
// when stopped.
func TestTheBenchRunsTheGoServerAsAProcess(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	var stderr testkit.SyncBuffer
	stop, addr, err := startGoServer(&stderr, "server", "-quiet", "-log", "off")
	require.NoError(t, err)
	w := newWorkload(500)
	assert.NoError(t, benchLockstep(addr, w))
	assert.NoError(t, benchPipelined(addr, w))
	assert.NoError(t, stop(), "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
}

func TestThePythonServerSpeaksTheProtocol(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	testkit.NeedPython(t)
	stop, addr, err := startPythonServer(4096)
	require.NoError(t, err)
	defer stop()
	w := newWorkload(500)
	assert.NoError(t, benchLockstep(addr, w))
	assert.NoError(t, benchPipelined(addr, w))
	assert.NoError(t, benchPairs(addr, newWorkload(6)))
}

func TestHelpExitsZeroOnStdout(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"server", "-h"}, {"client", "-h"}, {"bench", "-h"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		assert.Equal(t, 0, code, "%v", args)
		assert.Contains(t, stdout.String(), "usage", "%v", args)
		assert.Empty(t, stderr.String(), "%v", args)
	}
}

func TestClientExitsOneWhenAReplyIsNotUnderstood(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer listener.Close()
	// A server that answers every line with a reply of its own.
	serve := func(reply string) {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		lines := bufio.NewScanner(conn)
		for lines.Scan() {
			if _, err := conn.Write([]byte(reply)); err != nil {
				return
			}
		}
	}
	for _, c := range []struct {
		reply string
		code  int
	}{
		{"T\n", 0},
		{"yes\n", 1},
	} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			serve(c.reply)
		}()
		var stdout, stderr bytes.Buffer
		args := []string{"client", "-addr", listener.Addr().String(), "7", "8"}
		code := run(context.Background(), args, &stdout, &stderr)
		<-done
		assert.Equal(t, c.code, code, "reply %q: %s", c.reply, stdout.String())
		assert.Equal(t, 2, strings.Count(stdout.String(), "client | "), stdout.String())
	}
}
