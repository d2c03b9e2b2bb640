package tap

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/internal/testkit"
	"workbook/prime"
)

func TestMain(m *testing.M) {
	// The parallel tests wait more than they compute.
	testkit.WaitersInParallel(8)
	goleak.VerifyTestMain(m)
}

// A runningTap is the tap command running in the test.
type runningTap struct {
	addr   string
	stdout testkit.SyncBuffer
	stderr testkit.SyncBuffer
	cancel context.CancelFunc
	code   chan int
	once   sync.Once
}

// startTap runs the tap command in front of the server at to, on a
// free loopback port, and waits until it listens. The test's end
// stops it, if the test has not.
func startTap(t *testing.T, to string, flags ...string) *runningTap {
	t.Helper()
	for try := 1; ; try++ {
		tap, inUse := tryTap(t, to, flags)
		if !inUse {
			t.Cleanup(func() { tap.stop(t) })
			return tap
		}
		// Another program took the port between FreeAddr and
		// the tap's Listen: rare, and no fault of the tap.
		if try == 3 {
			t.Fatalf("the tap did not start: %s", tap.stderr.String())
		}
		t.Logf("try %d: %s", try, tap.stderr.String())
	}
}

// tryTap is one try of startTap. It tells whether the tap could not
// listen because its address was in use.
func tryTap(t *testing.T, to string, flags []string) (tap *runningTap, inUse bool) {
	t.Helper()
	tap = &runningTap{addr: testkit.FreeAddr(t), code: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	tap.cancel = cancel
	args := append([]string{"-listen", tap.addr, "-to", to}, flags...)
	go func() { tap.code <- Run(ctx, args, &tap.stdout, &tap.stderr) }()

	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(tap.output(), "listening on") {
		select {
		case <-tap.code:
			cancel()
			if strings.Contains(tap.stderr.String(), "address already in use") {
				return tap, true
			}
			t.Fatalf("the tap did not start: %s", tap.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			<-tap.code
			t.Fatalf("the tap did not start: %s", tap.stderr.String())
		}
		time.Sleep(time.Millisecond)
	}
	return tap, false
}

// output is what the tap has printed so far.
func (tap *runningTap) output() string { return tap.stdout.String() }

// stop stops the tap as Ctrl-C would, checks that it exits with 0,
// and returns all it printed.
func (tap *runningTap) stop(t *testing.T) string {
	t.Helper()
	tap.once.Do(func() {
		tap.cancel()
		assert.Equal(t, 0, <-tap.code, "stderr: %s",
			tap.stderr.String())
	})
	return tap.output()
}

// startServer listens on a free loopback port and hands each
// connection to handle, in its own goroutine. The test's end closes
// the listener and waits for every handler.
func startServer(t *testing.T, handle func(conn *net.TCPConn)) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var handlers sync.WaitGroup
	handlers.Add(1)
	go func() {
		defer handlers.Done()
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			handlers.Add(1)
			go func() {
				defer handlers.Done()
				defer conn.Close()
				handle(conn.(*net.TCPConn))
			}()
		}
	}()
	t.Cleanup(func() {
		listener.Close()
		handlers.Wait()
	})
	return listener.Addr().String()
}

// judgeLines answers every line of a connection, as chapter 04's
// server does, until the client shuts its sending side; then it
// closes. Replies to a pipelined batch go back in one write.
func judgeLines(conn *net.TCPConn) {
	reader := bufio.NewReader(conn)
	writer := bufio.NewWriter(conn)
	for {
		line, err := reader.ReadBytes('\n')
		if len(line) > 0 {
			_, _ = writer.Write(prime.Judge(line).Reply())
		}
		if err != nil || reader.Buffered() == 0 {
			if writer.Flush() != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// dialTap connects to the tap, with a deadline for the whole test.
func dialTap(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(time.Minute)))
	return conn.(*net.TCPConn)
}

func TestPassesTheClientsHalfClose(t *testing.T) {
	server := startServer(t, judgeLines)
	tap := startTap(t, server)

	// The client sends one request and shuts its sending side:
	// it still gets its reply, then the end of the data.
	conn := dialTap(t, tap.addr)
	_, err := conn.Write([]byte("17\n"))
	require.NoError(t, err)
	require.NoError(t, conn.CloseWrite())
	everything, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.Equal(t, "T\n", string(everything))

	output := tap.stop(t)
	assert.Contains(t, output, `client->server 3 bytes "17\n"`)
	assert.Contains(t, output, "client->server end of data (FIN)")
	assert.Contains(t, output, `server->client 2 bytes "T\n"`)
	assert.Contains(t, output, "server->client end of data (FIN)")
}

func TestPassesTheServersHalfClose(t *testing.T) {
	// A server that says hello, shuts its sending side, then
	// reads all the client still has to say.
	heard := make(chan string, 1)
	server := startServer(t, func(conn *net.TCPConn) {
		_, _ = conn.Write([]byte("hello\n"))
		_ = conn.CloseWrite()
		everything, _ := io.ReadAll(conn)
		heard <- string(everything)
	})
	tap := startTap(t, server)

	conn := dialTap(t, tap.addr)
	everything, err := io.ReadAll(conn)
	require.NoError(t, err)
	assert.Equal(t, "hello\n", string(everything))

	// The server's end of data did not end the client's side.
	_, err = conn.Write([]byte("still here\n"))
	require.NoError(t, err)
	require.NoError(t, conn.CloseWrite())
	select {
	case got := <-heard:
		assert.Equal(t, "still here\n", got)
	case <-time.After(30 * time.Second):
		t.Fatal("the server never got the client's last bytes")
	}
}

// pipeline sends requests for 1..n in one go, shuts the sending
// side, and returns every byte of the replies.
func pipeline(t *testing.T, conn *net.TCPConn, n int) (
	got, want string) {
	t.Helper()
	var requests bytes.Buffer
	var replies strings.Builder
	for i := 1; i <= n; i++ {
		request := []byte(strconv.Itoa(i) + "\n")
		requests.Write(request)
		replies.Write(prime.Judge(request).Reply())
	}
	sent := make(chan error, 1)
	go func() {
		_, err := conn.Write(requests.Bytes())
		if err == nil {
			err = conn.CloseWrite()
		}
		sent <- err
	}()
	everything, err := io.ReadAll(conn)
	require.NoError(t, err)
	require.NoError(t, <-sent)
	return string(everything), replies.String()
}

func TestKeeps20000PipelinedRequestsInOrder(t *testing.T) {
	server := startServer(t, judgeLines)
	tap := startTap(t, server)

	got, want := pipeline(t, dialTap(t, tap.addr), 20000)
	assert.Equal(t, len(want), len(got))
	assert.True(t, got == want,
		"the replies differ from the requests' answers, or come in another order")
}

func TestServesManyClientsAtOnceWithoutMixingLines(t *testing.T) {
	server := startServer(t, judgeLines)
	tap := startTap(t, server)

	// Twenty clients at once, each pipelining, each checked.
	const clients = 20
	var wait sync.WaitGroup
	for range clients {
		conn := dialTap(t, tap.addr)
		wait.Add(1)
		go func() {
			defer wait.Done()
			got, want := pipeline(t, conn, 2000)
			assert.True(t, got == want, "a client's replies differ")
		}()
	}
	wait.Wait()

	// Every line on the screen is one whole line of the tap's.
	for i := 1; i <= clients; i++ {
		waitForClose(t, tap.output, i)
	}
	line := regexp.MustCompile(`^(tap \| .*|#\d+ \+[0-9.]+[µnm]?s ` +
		`(client|server|closed)\S* .*|… \d+ lines? not shown.*)$`)
	for _, text := range strings.Split(tap.stop(t), "\n") {
		if text != "" {
			assert.Regexp(t, line, text)
		}
	}
}

// isReset reports whether err is what a reset gives the reader.
func isReset(err error) bool {
	if runtime.GOOS == "windows" {
		// Windows has its own error numbers.
		return err != nil && !errors.Is(err, io.EOF)
	}
	return errors.Is(err, syscall.ECONNRESET)
}

func TestPassesAServersResetToTheClient(t *testing.T) {
	// A server that reads one request and resets the connection.
	server := startServer(t, func(conn *net.TCPConn) {
		_, _ = conn.Read(make([]byte, 100))
		_ = conn.SetLinger(0)
	})
	tap := startTap(t, server)

	conn := dialTap(t, tap.addr)
	_, err := conn.Write([]byte("17\n"))
	require.NoError(t, err)
	_, err = io.ReadAll(conn)
	assert.True(t, isReset(err), "the client read %v, want a reset", err)

	output := tap.stop(t)
	assert.Contains(t, output, "server->client reading failed")
	assert.Contains(t, output, "resetting both sides")
}

func TestPassesAClientsResetToTheServer(t *testing.T) {
	readErr := make(chan error, 1)
	server := startServer(t, func(conn *net.TCPConn) {
		_, err := io.ReadAll(conn)
		readErr <- err
	})
	tap := startTap(t, server)

	conn := dialTap(t, tap.addr)
	_, err := conn.Write([]byte("17\n"))
	require.NoError(t, err)
	require.NoError(t, conn.SetLinger(0))
	require.NoError(t, conn.Close())

	select {
	case err := <-readErr:
		assert.True(t, isReset(err), "the server read %v, want a reset", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server never learnt that the client left")
	}
}

func TestResetsTheClientWhenTheServerIsAbsent(t *testing.T) {
	nobody := testkit.FreeAddr(t)
	tap := startTap(t, nobody)

	// The reset may come so fast that it ends Dial's own wait.
	conn, err := net.Dial("tcp", tap.addr)
	if err == nil {
		defer conn.Close()
		_, err = io.ReadAll(conn)
	}
	assert.True(t, isReset(err), "the client got %v, want a reset", err)
	assert.Contains(t, tap.stop(t), "cannot connect to the server "+nobody)
}

// heapInUse returns the bytes of live memory, after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}

func TestPassesBackpressureWithBoundedMemory(t *testing.T) {
	// It measures the whole process's memory: in a process of its
	// own, beside the other tests.
	if !testkit.Alone(t) {
		return
	}
	// A server that reads nothing until told to, then all.
	const size = 64 << 20
	readNow := make(chan struct{})
	received := make(chan int64, 1)
	server := startServer(t, func(conn *net.TCPConn) {
		<-readNow
		n, _ := io.Copy(io.Discard, conn)
		received <- n
	})
	tap := startTap(t, server)
	conn := dialTap(t, tap.addr)

	payload := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	before := heapInUse()

	// The client writes 64 MiB in pieces, counting what the
	// system accepts.
	var mu sync.Mutex
	written := 0
	sent := make(chan error, 1)
	go func() {
		for rest := payload; len(rest) > 0; {
			n, err := conn.Write(rest[:min(len(rest), 64<<10)])
			mu.Lock()
			written += n
			mu.Unlock()
			if err != nil {
				sent <- err
				return
			}
			rest = rest[n:]
		}
		sent <- conn.CloseWrite()
	}()
	soFar := func() int {
		mu.Lock()
		defer mu.Unlock()
		return written
	}

	// Wait until the writes stop making progress: the buffers on
	// the way are full, and the client is made to wait.
	last, still := -1, 0
	for deadline := time.Now().Add(time.Minute); still < 5; {
		require.True(t, time.Now().Before(deadline),
			"the client's writes never stopped")
		time.Sleep(100 * time.Millisecond)
		if now := soFar(); now == last {
			still++
		} else {
			last, still = now, 0
		}
	}
	assert.Less(t, last, size, "a server that reads nothing took the whole 64 MiB")
	grown := int64(heapInUse()) - int64(before)
	assert.Less(t, grown, int64(4<<20),
		"the tap holds %d bytes for a server that does not read", grown)

	// Once the server reads, every byte arrives.
	close(readNow)
	require.NoError(t, <-sent)
	assert.Equal(t, int64(size), <-received)
}

func TestScheduleHoldsEachChunkWithoutQueueing(t *testing.T) {
	opened := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	delay := 10 * time.Millisecond
	at := func(d time.Duration) time.Time { return opened.Add(d) }
	s := schedule{opened: opened, delay: delay}

	// Before the handshake's round trip is over, bytes wait for
	// it, then cross: 3 × delay after the connection opened.
	assert.Equal(t, at(30*time.Millisecond), s.departure(at(0), time.Time{}))
	// Later, each chunk is held delay, and chunks read 1 ms
	// apart leave 1 ms apart: they do not queue behind each other.
	assert.Equal(t, at(110*time.Millisecond),
		s.departure(at(100*time.Millisecond), at(105*time.Millisecond)))
	assert.Equal(t, at(111*time.Millisecond),
		s.departure(at(101*time.Millisecond), at(110*time.Millisecond)))

	// With -chunk, pieces leave delay apart.
	s.gap = delay
	assert.Equal(t, at(120*time.Millisecond),
		s.departure(at(101*time.Millisecond), at(110*time.Millisecond)))

	// With -chunk and no -delay, a piece leaves as soon as it is
	// read, and the next one a gap later, even from the next chunk.
	gap := 10 * time.Millisecond
	cut := schedule{opened: opened, gap: gap}
	assert.Equal(t, at(time.Millisecond),
		cut.departure(at(time.Millisecond), time.Time{}))
	assert.Equal(t, at(11*time.Millisecond),
		cut.departure(at(time.Millisecond), at(time.Millisecond)))
	assert.Equal(t, at(50*time.Millisecond),
		cut.departure(at(50*time.Millisecond), at(20*time.Millisecond)))

	// Without -delay, bytes leave as soon as they are read.
	none := schedule{opened: opened}
	assert.Equal(t, at(time.Millisecond),
		none.departure(at(time.Millisecond), time.Time{}))
}

func TestDelayHoldsBytesAndKeepsTheirOrder(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	server := startServer(t, judgeLines)
	const delay = 50 * time.Millisecond
	tap := startTap(t, server, "-delay", delay.String())
	conn := dialTap(t, tap.addr)
	reader := bufio.NewReader(conn)

	// The first reply costs the handshake's round trip and one
	// round trip for the request: at least 4 × delay.
	start := time.Now()
	_, err := conn.Write([]byte("2\n"))
	require.NoError(t, err)
	reply, err := reader.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "T\n", reply)
	assert.GreaterOrEqual(t, time.Since(start), 4*delay)

	// Then each request costs at least a round trip.
	start = time.Now()
	_, err = conn.Write([]byte("4\n"))
	require.NoError(t, err)
	reply, err = reader.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "F\n", reply)
	assert.GreaterOrEqual(t, time.Since(start), 2*delay)

	// Requests written a little apart, each its own chunk, come
	// back in the order they were sent.
	numbers := []int{5, 6, 7, 8, 9, 10, 11, 12, 13}
	for _, n := range numbers {
		_, err := fmt.Fprintf(conn, "%d\n", n)
		require.NoError(t, err)
		time.Sleep(5 * time.Millisecond)
	}
	for _, n := range numbers {
		reply, err := reader.ReadString('\n')
		require.NoError(t, err)
		want := prime.Judge([]byte(strconv.Itoa(n))).Reply()
		assert.Equal(t, string(want), reply, "reply to %d", n)
	}
}

// recordWrites keeps each Write it is given, separately.
type recordWrites struct{ writes []string }

func (r *recordWrites) Write(p []byte) (int, error) {
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func TestChunkPassesBytesOnInSmallWrites(t *testing.T) {
	var shown testkit.SyncBuffer
	display := newScreen(&shown, io.Discard, false)
	go display.print()
	l := &link{id: 1, opened: time.Now(), done: make(chan struct{}),
		screen: display}
	d := &direction{link: l, name: "client->server", pieceSize: 4}
	var to recordWrites
	read := chunk{data: []byte("1125899906842623\n")}
	require.NoError(t, d.pass(&to, read))
	display.close()
	assert.Equal(t, []string{"1125", "8999", "0684", "2623", "\n"},
		to.writes)

	// The screen shows each piece as it leaves, and when.
	piece := regexp.MustCompile(`^#1 \+[0-9.]+[µnm]?s ` +
		`client->server piece (\d) of 5: (\d) bytes? (".*")$`)
	lines := strings.Split(strings.TrimSuffix(shown.String(), "\n"), "\n")
	require.Len(t, lines, 5)
	for i, line := range lines {
		match := piece.FindStringSubmatch(line)
		require.NotNil(t, match, line)
		assert.Equal(t, strconv.Itoa(i+1), match[1])
		assert.Equal(t, strconv.Itoa(len(to.writes[i])), match[2])
		assert.Equal(t, quoteChunk([]byte(to.writes[i])), match[3])
	}
}

// readSizes is a server that records the size of each Read, and
// sends them on reads once the client has finished.
func readSizes(reads chan<- []int) func(conn *net.TCPConn) {
	return func(conn *net.TCPConn) {
		var sizes []int
		buffer := make([]byte, 1024)
		for {
			n, err := conn.Read(buffer)
			if n > 0 {
				sizes = append(sizes, n)
			}
			if err != nil {
				reads <- sizes
				return
			}
		}
	}
}

// sizesRead sends request through the tap, shuts the sending side,
// and returns the sizes of the server's Reads.
func sizesRead(t *testing.T, tapAddr, request string,
	reads <-chan []int) []int {
	t.Helper()
	conn := dialTap(t, tapAddr)
	_, err := conn.Write([]byte(request))
	require.NoError(t, err)
	require.NoError(t, conn.CloseWrite())
	select {
	case sizes := <-reads:
		return sizes
	case <-time.After(30 * time.Second):
		t.Fatal("the server never got the end of the data")
		return nil
	}
}

func TestChunkOneSplitsEveryByteWithTheDefaultGap(t *testing.T) {
	// Not in parallel: the gap of 10 ms between two pieces must
	// keep them apart, which other tests beside it could delay. A
	// machine busy enough to keep the server from reading for
	// longer than that glues two pieces together again: then the
	// test tries again, up to five times. Without the gap, pieces
	// written back to back arrive several to a Read every time.
	want := make([]int, 17)
	for i := range want {
		want[i] = 1
	}
	var sizes []int
	for try := 1; try <= 5; try++ {
		reads := make(chan []int, 1)
		server := startServer(t, readSizes(reads))
		tap := startTap(t, server, "-chunk", "1")
		sizes = sizesRead(t, tap.addr, "1125899906842623\n", reads)
		assert.Contains(t, tap.stop(t), "tap | passing bytes on to "+
			"the server in writes of at most 1 byte, 10ms apart\n")
		if slices.Equal(want, sizes) {
			break
		}
		t.Logf("try %d: reads of %v bytes", try, sizes)
	}
	assert.Equal(t, want, sizes, "each Read gets one piece")
}

func TestChunkWithDelayMakesTheServerReadPieces(t *testing.T) {
	// Not in parallel: its pauses of a few milliseconds must keep
	// pieces of data apart, which other tests beside it could
	// delay.
	reads := make(chan []int, 1)
	server := startServer(t, readSizes(reads))
	tap := startTap(t, server, "-chunk", "2", "-delay", "30ms")
	sizes := sizesRead(t, tap.addr, "123456789\n", reads)
	total := 0
	for _, size := range sizes {
		assert.LessOrEqual(t, size, 2, "reads: %v", sizes)
		total += size
	}
	assert.Equal(t, 10, total)
}

// -chunk cuts what the server receives, unless -chunk-to says
// otherwise, and the screen shows the pieces of that side only.
func TestChunkToChoosesWhoGetsThePieces(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	cases := []struct {
		flags          []string
		server, client bool // whether each gets pieces
	}{
		{[]string{"-chunk", "1"}, true, false},
		{[]string{"-chunk", "1", "-chunk-to", "server"}, true, false},
		{[]string{"-chunk", "1", "-chunk-to", "client"}, false, true},
		{[]string{"-chunk", "1", "-chunk-to", "both"}, true, true},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.flags, " "), func(t *testing.T) {
			server := startServer(t, judgeLines)
			tap := startTap(t, server,
				append(c.flags, "-gap", "1ms")...)
			assert.Equal(t, "F\nT\n", sendAndShut(t, tap.addr,
				"25\n97\n"))
			output := waitForClose(t, tap.output, 1)
			assert.Equal(t, c.server, strings.Contains(output,
				`client->server piece 1 of 6: 1 byte "2"`), output)
			assert.Equal(t, c.client, strings.Contains(output,
				`server->client piece 1 of `), output)
			// Either way, the chunks read are shown whole.
			assert.Contains(t, output,
				`client->server 6 bytes "25\n97\n"`)
			tap.stop(t)
		})
	}
}

// The tap passes on at most -max-conns clients at once, 256 unless
// told otherwise; one more is closed at once, with the usual end of
// data, and the screen says why. Once a client leaves, a new one
// takes its place.
func TestClosesClientsOverTheLimit(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	var mu sync.Mutex
	atServer := 0
	server := startServer(t, func(conn *net.TCPConn) {
		mu.Lock()
		atServer++
		mu.Unlock()
		judgeLines(conn)
	})
	tap := startTap(t, server)

	// The default's worth of clients, each with a server of its
	// own behind the tap.
	clients := make([]*net.TCPConn, defaultMaxConns)
	for i := range clients {
		clients[i] = dialTap(t, tap.addr)
	}
	for deadline := time.Now().Add(time.Minute); ; {
		mu.Lock()
		n := atServer
		mu.Unlock()
		if n == defaultMaxConns {
			break
		}
		require.True(t, time.Now().Before(deadline),
			"%d clients reached the server", n)
		time.Sleep(time.Millisecond)
	}

	// Their lines on the screen, so that the next one finds room
	// in the screen's queue.
	for deadline := time.Now().Add(30 * time.Second); strings.Count(
		tap.output(), "tap connected to the server") < defaultMaxConns; {
		require.True(t, time.Now().Before(deadline), tap.output())
		time.Sleep(time.Millisecond)
	}

	// One more: the end of data at once, no reply.
	extra := dialTap(t, tap.addr)
	everything, err := io.ReadAll(extra)
	require.NoError(t, err, "a refused client gets the end of data")
	assert.Empty(t, everything)
	refused := fmt.Sprintf("#%d +0s client %s refused: 256 clients "+
		"are passed on already, the most the tap takes (-max-conns); "+
		"closing it\n", defaultMaxConns+1, extra.LocalAddr())
	// The screen writes in the background: the line comes soon.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(
		tap.output(), refused); time.Sleep(time.Millisecond) {
		require.True(t, time.Now().Before(deadline),
			"no line %q in:\n%s", refused, tap.output())
	}

	// The clients passed on are served as before.
	reader := bufio.NewReader(clients[0])
	_, err = clients[0].Write([]byte("97\n"))
	require.NoError(t, err)
	reply, err := reader.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "T\n", reply)

	// One leaves: a newcomer is passed on in its place.
	require.NoError(t, clients[0].Close())
	waitForClose(t, tap.output, 1)
	assert.Equal(t, "T\n", sendAndShut(t, tap.addr, "97\n"))
}

func TestQuotesHostileBytes(t *testing.T) {
	cases := map[string]string{
		"escape sequences": "\x1b[2J\x1b[31mred\x1b[0m",
		"NUL and bell":     "\x00\x00\a",
		"invalid UTF-8":    "\xff\xfe\xc3",
		"look-alikes":      "＂ ＼ ｜", // fullwidth " \ |
		"combining marks":  "e\u0301\u0301\u0301",
		"right-to-left":    "\u202eevil",
	}
	for name, hostile := range cases {
		t.Run(name, func(t *testing.T) {
			shown := quoteChunk([]byte(hostile))
			assert.Equal(t, fmt.Sprintf("%+q", hostile), shown)
			for _, r := range shown {
				assert.True(t, r >= ' ' && r <= '~',
					"%q shows %q", hostile, r)
			}
		})
	}
}

func TestShowsABoundedPrefixOfLongChunks(t *testing.T) {
	long := bytes.Repeat([]byte{0}, 5000)
	shown := quoteChunk(long)
	assert.True(t, strings.HasPrefix(shown, `"\x00\x00`), shown)
	assert.True(t, strings.HasSuffix(shown, `"…`), shown)
	assert.LessOrEqual(t, len(shown), shownWidth+len(`""…`))

	// A chunk that fits is shown whole.
	assert.Equal(t, `"17\n"`, quoteChunk([]byte("17\n")))
}

func TestScreenShowsOnlyQuotedBytes(t *testing.T) {
	server := startServer(t, judgeLines)
	tap := startTap(t, server)
	conn := dialTap(t, tap.addr)
	_, err := conn.Write([]byte("\x1b[2J\x00\xff\u202e＂17＂\n"))
	require.NoError(t, err)
	require.NoError(t, conn.CloseWrite())
	_, err = io.ReadAll(conn)
	require.NoError(t, err)

	output := tap.stop(t)
	assert.Contains(t, output,
		`"\x1b[2J\x00\xff\u202e\uff0217\uff02\n"`)
	// None of the client's bytes reach the terminal raw.
	for _, r := range output {
		control := r < ' ' && r != '\n' || r == 0x7f
		fromClient := r == '\u202e' || r == '＂' || r == utf8.RuneError
		assert.False(t, control || fromClient,
			"the screen shows %q", r)
	}
}

// blockedWriter is a terminal that stopped reading: every Write
// waits until release is closed.
type blockedWriter struct {
	release chan struct{}
	out     testkit.SyncBuffer
}

func (w *blockedWriter) Write(p []byte) (int, error) {
	<-w.release
	return w.out.Write(p)
}

func TestScreenNeverHoldsTheBytesUp(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	server := startServer(t, judgeLines)
	addr := testkit.FreeAddr(t)
	screen := &blockedWriter{release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	args := []string{"-listen", addr, "-to", server}
	go func() { code <- Run(ctx, args, screen, io.Discard) }()

	// Many connections, each a line or more on the screen, while
	// the screen takes nothing.
	var conn *net.TCPConn
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			conn = c.(*net.TCPConn)
			break
		}
		require.True(t, time.Now().Before(deadline), "%v", err)
		time.Sleep(time.Millisecond)
	}
	conn.Close()
	for range 100 {
		got, want := pipeline(t, dialTap(t, addr), 100)
		require.Equal(t, want, got)
	}

	// Ctrl-C stops the tap though the screen is still stuck.
	cancel()
	select {
	case c := <-code:
		assert.Equal(t, 0, c)
	case <-time.After(time.Minute):
		t.Fatal("the tap did not stop")
	}
	close(screen.release)
}

// showWhileBlocked shows lines on a screen whose terminal reads
// nothing until every line is shown, and returns what it printed.
func showWhileBlocked(t *testing.T, limited bool, lines int) string {
	t.Helper()
	out := &blockedWriter{release: make(chan struct{})}
	screen := newScreen(out, io.Discard, limited)
	go screen.print()
	for i := range lines {
		screen.show(1+i%7, fmt.Sprintf("line %d", i))
	}
	close(out.release)
	screen.close()
	<-screen.done
	return out.out.String()
}

// countLines counts the lines shown and those said to be left out.
func countLines(t *testing.T, output string) (shown, leftOut int) {
	t.Helper()
	for _, line := range strings.Split(
		strings.TrimSuffix(output, "\n"), "\n") {
		if strings.HasPrefix(line, "… ") {
			var n int
			_, err := fmt.Sscanf(line, "… %d lines not shown", &n)
			require.NoError(t, err, line)
			assert.Contains(t, line, "(connections #1 to #7)")
			leftOut += n
			continue
		}
		require.True(t, strings.HasPrefix(line, "line "), line)
		shown++
	}
	return shown, leftOut
}

func TestScreenSaysHowManyLinesItLeftOut(t *testing.T) {
	// 2000 lines while the terminal reads nothing: the queue
	// keeps some, the rest are counted.
	const lines = 2000
	shown, leftOut := countLines(t, showWhileBlocked(t, false, lines))
	assert.Greater(t, leftOut, 0)
	assert.LessOrEqual(t, shown, screenQueue+1)
	assert.Equal(t, lines, shown+leftOut, "every line is shown or counted")
}

func TestTerminalShowsWhatAPersonCanRead(t *testing.T) {
	const lines = 2000
	shown, leftOut := countLines(t, showWhileBlocked(t, true, lines))
	assert.LessOrEqual(t, shown, screenBurst+1)
	assert.Equal(t, lines, shown+leftOut, "every line is shown or counted")
}

func TestTellsAFileFromATerminal(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "trace.txt"))
	require.NoError(t, err)
	defer file.Close()
	assert.False(t, isTerminal(file))
	var buffer bytes.Buffer
	assert.False(t, isTerminal(&buffer))
}

func TestStopsOnCtrlCWithConnectionsOpen(t *testing.T) {
	server := startServer(t, judgeLines)
	tap := startTap(t, server)
	conn := dialTap(t, tap.addr)
	reader := bufio.NewReader(conn)
	_, err := conn.Write([]byte("17\n"))
	require.NoError(t, err)
	reply, err := reader.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "T\n", reply)

	output := tap.stop(t)
	_, err = reader.ReadString('\n')
	assert.ErrorIs(t, err, io.EOF, "the client sees the end of data")
	assert.Contains(t, output, "the tap is stopping; closing both sides")
	assert.True(t, strings.HasSuffix(output, "tap | stopped\n"), output)
}

func TestFlags(t *testing.T) {
	cases := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"-h"}, 0, ""},
		{[]string{"-delay", "10"}, 2, `invalid value "10" for flag -delay`},
		{[]string{"-chunk", "-1"}, 2, "cannot be negative"},
		{[]string{"-gap", "-1ms"}, 2, "cannot be negative"},
		{[]string{"-chunk-to", "nobody"}, 2,
			`-chunk-to "nobody": say server, client or both`},
		{[]string{"-max-conns", "0"}, 2,
			"-max-conns must be 1 or more, got 0"},
		{[]string{"-frobnicate"}, 2, "-frobnicate"},
		{[]string{"-to", "8809"}, 2, `-to "8809" is not host:port`},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), c.args,
				&stdout, &stderr)
			assert.Equal(t, c.code, code)
			if c.code == 0 {
				assert.Contains(t, stdout.String(), "usage:")
				assert.Contains(t, stdout.String(), "-delay")
				assert.Contains(t, stdout.String(),
					"(default 256)")
				assert.Empty(t, stderr.String())
				return
			}
			assert.Contains(t, stderr.String(), c.says)
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"),
				"one line: %q", stderr.String())
		})
	}
}

func TestRefusesToPointAtItself(t *testing.T) {
	addr := testkit.FreeAddr(t)
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(),
		[]string{"-listen", addr, "-to", addr}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Equal(t,
		"tap: -to "+addr+" is the tap's own address; give the server's\n",
		stderr.String())
}

func TestSaysWhenItsPortIsTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	addr := taken.Addr().String()

	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"-listen", addr},
		&stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.True(t, strings.HasPrefix(stderr.String(),
		"tap: cannot listen on "+addr+": "), stderr.String())
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"))
}

// The README's transcripts, with the other chapters' servers: those
// are other programs, built for the test.

// buildChapters builds chapters 01, 03 and 04 and returns where.
func buildChapters(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds chapters 01, 03 and 04")
	}
	// One go build for the three: it links them side by side, and
	// names each binary after its directory.
	dir := t.TempDir()
	command := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"./01-raw-socket", "./03-server-framework", "./04-persistent-conn")
	command.Dir = "../.."
	output, err := command.CombinedOutput()
	require.NoError(t, err, "building the chapters: %s", output)
	return dir
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// A chapterServer is another chapter's server, running.
type chapterServer struct {
	addr    string
	command *exec.Cmd
	stdout  testkit.SyncBuffer
	exited  chan struct{} // closed when it has exited
}

// startChapterServer runs `chapter server -addr FREE` from the
// binaries in dir and waits until it listens.
func startChapterServer(t *testing.T, dir, chapter string) *chapterServer {
	t.Helper()
	s := &chapterServer{addr: testkit.FreeAddr(t),
		exited: make(chan struct{})}
	s.command = exec.Command(filepath.Join(dir, chapter+exeSuffix()),
		"server", "-addr", s.addr)
	s.command.Stdout = &s.stdout
	s.command.Stderr = os.Stderr
	// Chapter 03's log goes to a directory of the test's own.
	s.command.Dir = t.TempDir()
	require.NoError(t, s.command.Start())
	go func() {
		// Killed, or stopped by itself: either is fine here.
		_ = s.command.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		_ = s.command.Process.Kill()
		<-s.exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.stdout.String(), "listening on") {
		require.True(t, time.Now().Before(deadline),
			"%s did not start", chapter)
		time.Sleep(time.Millisecond)
	}
	return s
}

// runChapterClient runs `chapter client -addr ADDR args...` and
// returns what it printed.
func runChapterClient(t *testing.T, dir, chapter, addr string,
	args ...string) string {
	t.Helper()
	all := append([]string{"client", "-addr", addr}, args...)
	command := exec.Command(filepath.Join(dir, chapter+exeSuffix()),
		all...)
	output, err := command.Output()
	require.NoError(t, err, "%s client", chapter)
	return string(output)
}

// sendAndShut sends a request, shuts the sending side, and reads
// all the server says until it closes: what `printf '17\n' | nc`
// does.
func sendAndShut(t *testing.T, addr, request string) string {
	t.Helper()
	conn := dialTap(t, addr)
	_, err := conn.Write([]byte(request))
	require.NoError(t, err)
	require.NoError(t, conn.CloseWrite())
	everything, err := io.ReadAll(conn)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	return string(everything)
}

// waitForClose waits until the tap has shown the end of connection
// number id, and returns what it printed.
func waitForClose(t *testing.T, output func() string, id int) string {
	t.Helper()
	closed := fmt.Sprintf("#%d +", id)
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, line := range strings.Split(output(), "\n") {
			if strings.HasPrefix(line, closed) &&
				strings.Contains(line, " closed: ") {
				return output()
			}
		}
		require.True(t, time.Now().Before(deadline),
			"connection #%d never closed: %s", id, output())
		time.Sleep(time.Millisecond)
	}
}

func TestREADMETranscripts(t *testing.T) {
	// It waits on the network and on timers: beside the other tests.
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the README shows the programs on Linux and macOS")
	}
	dir := buildChapters(t)

	t.Run("one request", func(t *testing.T) {
		server := startChapterServer(t, dir, "04-persistent-conn")
		tap := startTap(t, server.addr)
		client := runChapterClient(t, dir, "04-persistent-conn",
			tap.addr, "17")
		assert.Equal(t, "client | \"17\\n\" -> \"T\\n\" prime\n", client)
		waitForClose(t, tap.output, 1)
		testkit.CheckTranscript(t, "../README.md", "tap-one-request",
			tap.stop(t))
	})

	t.Run("pipelined", func(t *testing.T) {
		server := startChapterServer(t, dir, "04-persistent-conn")
		tap := startTap(t, server.addr)
		runChapterClient(t, dir, "04-persistent-conn", tap.addr,
			"-pipeline", "2", "3", "4", "5")
		waitForClose(t, tap.output, 1)
		testkit.CheckTranscript(t, "../README.md", "tap-pipelined",
			tap.stop(t))
	})

	// Through -chunk 1 -delay 10ms, the pieces of a request are
	// 10 ms apart. A machine busy enough to sleep through that
	// glues them together again: then the test tries again, up to
	// five times. The README shows what a machine not that busy
	// shows.
	t.Run("chapter 01's server through the tap", func(t *testing.T) {
		var proxyOutput, serverOutput string
		for try := 1; try <= 5; try++ {
			server := startChapterServer(t, dir, "01-raw-socket")
			tap := startTap(t, server.addr,
				"-chunk", "1", "-delay", "10ms")
			replies := sendAndShut(t, tap.addr, "17\n")
			waitForClose(t, tap.output, 1)
			proxyOutput = tap.stop(t)
			select {
			case <-server.exited:
			case <-time.After(30 * time.Second):
				t.Fatal("chapter 01's server did not stop")
			}
			serverOutput = server.stdout.String()
			if replies == "F\nT\nE\n" {
				break
			}
			t.Logf("try %d: replies %q", try, replies)
		}
		testkit.CheckTranscript(t, "../README.md", "tap-chapter-01",
			proxyOutput)
		testkit.CheckTranscript(t, "../README.md",
			"tap-chapter-01-server", serverOutput)
	})

	t.Run("chapter 04's client through the tap", func(t *testing.T) {
		var client string
		for try := 1; try <= 5; try++ {
			server := startChapterServer(t, dir, "01-raw-socket")
			tap := startTap(t, server.addr,
				"-chunk", "1", "-delay", "10ms")
			client = runChapterClient(t, dir, "04-persistent-conn",
				tap.addr, "17")
			if strings.Contains(client, `"F\n"`) {
				break
			}
			t.Logf("try %d: %s", try, client)
		}
		testkit.CheckTranscript(t, "../README.md",
			"tap-chapter-01-client", client)
	})

	t.Run("chapter 03's server through the tap", func(t *testing.T) {
		server := startChapterServer(t, dir, "03-server-framework")
		tap := startTap(t, server.addr,
			"-chunk", "1", "-delay", "10ms")
		assert.Equal(t, "T\n", sendAndShut(t, tap.addr, "17\n"))
		waitForClose(t, tap.output, 1)
		testkit.CheckTranscript(t, "../README.md", "tap-chapter-03",
			tap.stop(t))
	})
}
