package tcpserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

// dialFrom connects to addr from the loopback address host: on Linux
// all of 127.0.0.0/8 is this machine, so 127.0.0.1 and 127.0.0.2 can
// stand for two laptops.
func dialFrom(t *testing.T, host, addr string) net.Conn {
	t.Helper()
	if host != "127.0.0.1" {
		testkit.NeedLaptops(t)
	}
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(host)}}
	conn, err := dialer.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	return conn
}

// refusedConnection connects from host to addr and reads, and returns
// the error of whichever of the two fails.
func refusedConnection(t *testing.T, host, addr string) error {
	t.Helper()
	testkit.NeedLaptops(t)
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(host)}}
	conn, err := dialer.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	n, err := conn.Read(make([]byte, 1))
	assert.Zero(t, n)
	return err
}

// events records what a server's OnEvent hears.
type events struct {
	mu   sync.Mutex
	seen []Event
}

func (e *events) record(event Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen = append(e.seen, event)
}

// count is how many events of kind came from host.
func (e *events) count(kind EventKind, host string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, event := range e.seen {
		if event.Kind == kind && hostOf(event.Remote) == host {
			n++
		}
	}
	return n
}

// ended is the reasons of the Ended events, in order.
func (e *events) ended() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var reasons []error
	for _, event := range e.seen {
		if event.Kind == Ended {
			reasons = append(reasons, event.Err)
		}
	}
	return reasons
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

func TestAHostOverItsLimitIsRefusedAndOthersAreServed(t *testing.T) {
	var heard events
	var flushes atomic.Int64
	// The defaults: the limit a teacher's server has.
	addr := start(t, &Server{Handler: echoEach(&flushes), OnEvent: heard.record})

	// One laptop takes all the connections it may have, each
	// served: it answers.
	var held []net.Conn
	for range defaultMaxConnsPerHost {
		conn := dialFrom(t, "127.0.0.2", addr)
		assert.Equal(t, "A\n", askOn(t, conn, bufio.NewReader(conn), "a\n"))
		held = append(held, conn)
	}

	// Its next connection is accepted and closed at once, with a
	// reset: the client sees it as it connects, or at its first
	// read.
	assert.ErrorIs(t, refusedConnection(t, "127.0.0.2", addr), syscall.ECONNRESET)
	require.Eventually(t, func() bool { return heard.count(Refused, "127.0.0.2") == 1 },
		5*time.Second, time.Millisecond)

	// Another laptop is served beside them.
	other := dialFrom(t, "127.0.0.1", addr)
	assert.Equal(t, "B\n", askOn(t, other, bufio.NewReader(other), "b\n"))
	assert.Zero(t, heard.count(Refused, "127.0.0.1"))

	// When the first laptop closes one, it may open one again.
	held[0].Close()
	require.Eventually(t, func() bool { return heard.count(Ended, "127.0.0.2") == 1 },
		5*time.Second, time.Millisecond)
	again := dialFrom(t, "127.0.0.2", addr)
	assert.Equal(t, "C\n", askOn(t, again, bufio.NewReader(again), "c\n"))
	assert.Equal(t, 1, heard.count(Refused, "127.0.0.2"))
}

func TestEndedSaysWhy(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	var heard events
	var flushes atomic.Int64
	s := &Server{
		Handler:      echoEach(&flushes),
		OnEvent:      heard.record,
		IdleTimeout:  100 * time.Millisecond,
		MaxLineBytes: 16,
	}
	addr := start(t, s)
	waitEnded := func(n int) {
		t.Helper()
		require.Eventually(t, func() bool { return len(heard.ended()) == n },
			5*time.Second, time.Millisecond)
	}

	// The client closes: nothing went wrong.
	conn := dialFrom(t, "127.0.0.1", addr)
	assert.Equal(t, "A\n", askOn(t, conn, bufio.NewReader(conn), "a\n"))
	conn.Close()
	waitEnded(1)

	// The client says nothing for too long.
	conn = dialFrom(t, "127.0.0.1", addr)
	_, err := io.ReadAll(conn)
	require.NoError(t, err)
	waitEnded(2)

	// A line too long.
	conn = dialFrom(t, "127.0.0.1", addr)
	_, err = conn.Write([]byte(strings.Repeat("x", 40)))
	require.NoError(t, err)
	_, err = io.ReadAll(conn)
	require.NoError(t, err)
	waitEnded(3)

	reasons := heard.ended()
	assert.NoError(t, reasons[0])
	assert.ErrorIs(t, reasons[1], ErrIdleTimeout)
	assert.ErrorIs(t, reasons[2], ErrLineTooLong)
}

func TestIdleTimeoutCountsForTheWholeLine(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	var heard events
	addr := start(t, &Server{
		Handler:     echoUpper,
		OnEvent:     heard.record,
		IdleTimeout: 300 * time.Millisecond,
	})
	conn := dialFrom(t, "127.0.0.1", addr)
	// One byte every 50 ms, never a '\n': the client is never
	// silent long, yet the line is never done. The server ends it.
	for range 100 {
		if _, err := conn.Write([]byte("x")); err != nil {
			break
		}
		if len(heard.ended()) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	require.Eventually(t, func() bool { return len(heard.ended()) == 1 },
		5*time.Second, time.Millisecond)
	assert.ErrorIs(t, heard.ended()[0], ErrIdleTimeout)
}

func TestTurnsGoToHostsInRotation(t *testing.T) {
	turns := &turns{free: 1, waiting: make(map[string][]chan struct{})}
	never := make(chan struct{})
	// A holds the only turn. Then A queues three more works, and
	// B one, in that order.
	require.True(t, turns.wait("A", never))
	var mu sync.Mutex
	var order []string
	var wait sync.WaitGroup
	for i, host := range []string{"A", "A", "A", "B"} {
		wait.Add(1)
		go func() {
			defer wait.Done()
			if !turns.wait(host, never) {
				return
			}
			mu.Lock()
			order = append(order, host)
			mu.Unlock()
			turns.done()
		}()
		require.Eventually(t, func() bool { return waitingWorks(turns) == i+1 },
			5*time.Second, time.Millisecond)
	}

	// A's first work ends: the turns go A, B, A, A.
	turns.done()
	wait.Wait()
	assert.Equal(t, []string{"A", "B", "A", "A"}, order,
		"B waits behind one of A's works, not all three")
	assert.Equal(t, 1, turns.free)
	assert.Zero(t, waitingWorks(turns))
	assert.Empty(t, turns.next)
}

func TestAWorkThatStopsWaitingLeavesTheRotation(t *testing.T) {
	turns := &turns{free: 1, waiting: make(map[string][]chan struct{})}
	never := make(chan struct{})
	require.True(t, turns.wait("A", never))
	stop := make(chan struct{})
	gaveUp := make(chan bool)
	go func() { gaveUp <- turns.wait("B", stop) }()
	require.Eventually(t, func() bool { return waitingWorks(turns) == 1 },
		5*time.Second, time.Millisecond)
	close(stop)
	assert.False(t, <-gaveUp)
	assert.Zero(t, waitingWorks(turns))
	assert.Empty(t, turns.next)
	// The turn A gives back is free again.
	turns.done()
	assert.Equal(t, 1, turns.free)
}

// waitingWorks is how many works wait for a turn.
func waitingWorks(t *turns) int {
	if t == nil {
		// Serve has not begun.
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, queue := range t.waiting {
		n += len(queue)
	}
	return n
}

// heavyOrLight answers each line in capitals. A "heavy" line is
// worked on with Share, and work is what the work does; a Share the
// server stopped gets "STOPPED".
func heavyOrLight(work func(c *Conn)) HandlerFunc {
	return func(c *Conn) {
		for {
			line, err := c.ReadLine()
			if err != nil {
				return
			}
			if string(line) == "heavy\n" {
				if c.Share(func() { work(c) }) != nil {
					c.Writer.WriteString("STOPPED\n")
					return
				}
			}
			c.Writer.Write(bytes.ToUpper(line))
			if !c.HasLine() && c.Writer.Flush() != nil {
				return
			}
		}
	}
}

func TestHeavyWorkTakesTurnsByHostAndLightWorkDoesNotWait(t *testing.T) {
	release := make(chan struct{})
	started := make(chan string, 100)
	s := &Server{Handler: heavyOrLight(func(c *Conn) {
		started <- c.host
		<-release
	})}
	addr := start(t, s)
	var once sync.Once
	releaseAll := func() { once.Do(func() { close(release) }) }
	// Before the server's shutdown, if the test fails early.
	t.Cleanup(releaseAll)

	// Laptop A takes every turn, and queues two works more.
	free := max(1, runtime.GOMAXPROCS(0)-1)
	var conns []net.Conn
	for range free + 2 {
		conn := dialFrom(t, "127.0.0.2", addr)
		_, err := conn.Write([]byte("heavy\n"))
		require.NoError(t, err)
		conns = append(conns, conn)
	}
	for range free {
		assert.Equal(t, "127.0.0.2", <-started)
	}
	require.Eventually(t, func() bool { return waitingWorks(turnsOf(s)) == 2 },
		5*time.Second, time.Millisecond)

	// Laptop B's light request is answered while every turn is
	// taken.
	light := dialFrom(t, "127.0.0.1", addr)
	assert.Equal(t, "LIGHT\n", askOn(t, light, bufio.NewReader(light), "light\n"))

	// B's heavy work waits behind one of A's, not both.
	heavy := dialFrom(t, "127.0.0.1", addr)
	_, err := heavy.Write([]byte("heavy\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return waitingWorks(turnsOf(s)) == 3 },
		5*time.Second, time.Millisecond)
	var order []string
	for range 3 {
		release <- struct{}{}
		order = append(order, <-started)
	}
	assert.Equal(t, []string{"127.0.0.2", "127.0.0.1", "127.0.0.2"}, order)

	// Every heavy request is answered.
	releaseAll()
	for _, conn := range append(conns, heavy) {
		reply, err := bufio.NewReader(conn).ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "HEAVY\n", reply)
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
	require.Eventually(t, s.isClosing, 5*time.Second, time.Millisecond)
	return done
}

func TestShutdownAnswersLinesStillInTheSystemsBuffer(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	var flushes atomic.Int64
	handler, gate := gated(echoEach(&flushes))
	s := &Server{Handler: handler}
	addr, served := serveInBackground(t, s)
	conn := dialFrom(t, "127.0.0.1", addr)

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
	conn := dialFrom(t, "127.0.0.1", addr)

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

func TestShutdownOutOfTimeStopsAnsweringAndClosesCleanly(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	// Each heavy request takes 20 ms of its turn: 1,000 of them
	// would take 20 s, far beyond the shutdown's 2 s.
	s := &Server{Handler: heavyOrLight(func(*Conn) {
		time.Sleep(20 * time.Millisecond)
	})}
	addr, served := serveInBackground(t, s)
	const requests = 1000
	var conns []net.Conn
	for range 4 {
		conn := dialFrom(t, "127.0.0.1", addr)
		_, err := conn.Write(bytes.Repeat([]byte("heavy\n"), requests))
		require.NoError(t, err)
		conns = append(conns, conn)
	}
	require.Eventually(t, func() bool { return waitingWorks(turnsOf(s)) > 0 }, 5*time.Second, time.Millisecond)

	shutdownDone := shutdownInBackground(t, s, 2*time.Second)
	// Each client: some replies, correct and in order, then maybe
	// "STOPPED" for the request whose turn never came, then the
	// end. No reset.
	for _, conn := range conns {
		replies, err := io.ReadAll(conn)
		require.NoError(t, err)
		conn.Close()
		answered := strings.TrimSuffix(string(replies), "STOPPED\n")
		assert.Less(t, len(answered), requests*len("HEAVY\n"))
		assert.Equal(t, strings.Repeat("HEAVY\n", len(answered)/len("HEAVY\n")), answered)
	}
	assert.NoError(t, <-shutdownDone)
	assert.ErrorIs(t, <-served, ErrServerClosed)
}

func TestAnIdleConnectionHoldsASmallBuffer(t *testing.T) {
	var flushes atomic.Int64
	// The largest limit: a connection must not allocate it.
	s := &Server{Handler: echoEach(&flushes), MaxLineBytes: 1 << 30}
	addr := start(t, s)
	conn := dialFrom(t, "127.0.0.1", addr)
	reader := bufio.NewReader(conn)
	assert.Equal(t, "A\n", askOn(t, conn, reader, "a\n"))
	served := onlyConn(t, s)
	assert.Equal(t, firstBufferBytes, len(served.buffer))
	assert.Equal(t, writeBufferBytes, served.Writer.Size())

	// A long line grows the buffer as far as it needs, no more.
	long := strings.Repeat("x", 5000) + "\n"
	assert.Equal(t, strings.ToUpper(long), askOn(t, conn, reader, long))
	assert.Less(t, len(served.buffer), 2*len(long))

	// And the limit is cut to MaxLineLimit: a longer line is
	// too long.
	assert.Equal(t, MaxLineLimit, served.maxLine)
}

// onlyConn is the server's one connection.
func onlyConn(t *testing.T, s *Server) *Conn {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Len(t, s.conns, 1)
	for c := range s.conns {
		return c
	}
	return nil
}

func TestALineOverMaxLineLimitIsTooLong(t *testing.T) {
	addr := start(t, &Server{Handler: echoUpper, MaxLineBytes: 1 << 30})
	reply := exchange(t, addr, strings.Repeat("9", MaxLineLimit+1)+"\n")
	assert.Equal(t, "TOO LONG\n", reply)
	reply = exchange(t, addr, strings.Repeat("9", MaxLineLimit-1)+"\n")
	assert.Equal(t, strings.Repeat("9", MaxLineLimit-1)+"\n", reply)
}

// turnsOf is s's turns, once Serve has begun.
func turnsOf(s *Server) *turns {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.turns
}

// connsOf is how many connections s serves.
func connsOf(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func TestAPipelinedBatchGrowsTheBufferOnlyToTheReadAhead(t *testing.T) {
	var flushes atomic.Int64
	s := &Server{Handler: echoEach(&flushes)}
	addr := start(t, s)
	conn := dialFrom(t, "127.0.0.1", addr)

	// 100 KB of short lines in one write, every reply read.
	batch := strings.Repeat("x\n", 50000)
	go func() { _, _ = conn.Write([]byte(batch)) }()
	replies := make([]byte, len(batch))
	_, err := io.ReadFull(conn, replies)
	require.NoError(t, err)
	assert.Equal(t, strings.ToUpper(batch), string(replies))

	// The buffer grew for the batch, within its bound.
	served := onlyConn(t, s)
	assert.LessOrEqual(t, len(served.buffer), readAheadBytes)
}

// A laptop running a load test as wide as its limit (as many workers
// as connections allowed, each asking one question per connection,
// closing and connecting again) is never refused: a connection's
// place is free once it has been answered, before the polite close.
func TestALoadTestAsWideAsTheLimitIsNeverRefused(t *testing.T) {
	var heard events
	// The defaults: one request per connection, as in chapter 03.
	addr := start(t, &Server{Handler: echoUpper, OnEvent: heard.record})

	var wait sync.WaitGroup
	for range defaultMaxConnsPerHost {
		wait.Add(1)
		go func() {
			defer wait.Done()
			for range 20 {
				if !assert.Equal(t, "Q\n", exchange(t, addr, "q\n")) {
					return
				}
			}
		}()
	}
	wait.Wait()
	assert.Zero(t, heard.count(Refused, "127.0.0.1"))
}
