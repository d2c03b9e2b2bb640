package classroom

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/03-server-framework/tcpserver"
	"workbook/internal/testkit"
)

// echo answers every line of a connection in capitals, flushing
// when none waits, as chapter 04's handler does; with one set, it
// answers only the first line, as chapter 03's does.
func echo(one bool) tcpserver.HandlerFunc {
	return func(c *tcpserver.Conn) {
		for {
			line, err := c.ReadLine()
			if err != nil {
				return
			}
			c.Writer.Write(bytes.ToUpper(line))
			if one {
				return
			}
			if !c.HasLine() && c.Writer.Flush() != nil {
				return
			}
		}
	}
}

// A served class: where it listens, and what it printed so far.
type served struct {
	addr           string
	class          chan *Class
	stdout, stderr *testkit.SyncBuffer
}

// serveClass runs handler, guarded, with settings on listener, or on
// a free loopback port if listener is nil, until the test ends.
func serveClass(t *testing.T, settings Settings, listener net.Listener, handler func(*Class) tcpserver.Handler) served {
	t.Helper()
	if listener == nil {
		var err error
		listener, err = net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
	}
	s := served{listener.Addr().String(), make(chan *Class, 1), new(testkit.SyncBuffer), new(testkit.SyncBuffer)}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, settings, listener, s.stdout, s.stderr, func(class *Class) error {
			s.class <- class
			server := &tcpserver.Server{
				Handler:      class.Guard(handler(class)),
				IdleTimeout:  class.IdleTimeout,
				MaxLineBytes: class.MaxLineBytes,
				ErrorLog:     class.ErrorLog,
			}
			class.StopOnCtrlC(server)
			return server.Serve(class.Listener)
		})
	}()
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, 0, <-code, s.stderr.String())
	})
	return s
}

// quietSettings are the defaults, without a log or the requests on
// the screen.
func quietSettings() Settings {
	settings := Defaults()
	settings.Log = logOff
	settings.Quiet = true
	return settings
}

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

// askOn sends line on conn and reads one line back.
func askOn(t *testing.T, conn net.Conn, reader *bufio.Reader, line string) string {
	t.Helper()
	_, err := conn.Write([]byte(line))
	require.NoError(t, err)
	reply, err := reader.ReadString('\n')
	require.NoError(t, err)
	return reply
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

// refused is the screen's summary of a host's refused connections.
func refused(host string) *regexp.Regexp {
	return regexp.MustCompile(`server \| ` + regexp.QuoteMeta(host) + `: (\d+) connections? closed at once: over the 32 allowed per host`)
}

func TestAHostOverItsLimitIsRefusedAndOthersAreServed(t *testing.T) {
	// The defaults: the limit a teacher's server has.
	s := serveClass(t, quietSettings(), nil, func(*Class) tcpserver.Handler { return echo(false) })

	// One laptop takes all the connections it may have, each
	// served: it answers.
	var held []net.Conn
	for range Defaults().MaxConnsPerHost {
		conn := dialFrom(t, "127.0.0.2", s.addr)
		assert.Equal(t, "A\n", askOn(t, conn, bufio.NewReader(conn), "a\n"))
		held = append(held, conn)
	}

	// Its next connection is accepted and closed at once, with a
	// reset: the client sees it as it connects, or at its first
	// read. The screen says so.
	err := refusedConnection(t, "127.0.0.2", s.addr)
	assert.True(t, isReset(err), "want a reset, got %v", err)
	require.Eventually(t, func() bool { return refused("127.0.0.2").MatchString(s.stdout.String()) },
		5*time.Second, time.Millisecond)

	// Another laptop is served beside them.
	other := dialFrom(t, "127.0.0.1", s.addr)
	assert.Equal(t, "B\n", askOn(t, other, bufio.NewReader(other), "b\n"))
	assert.NotRegexp(t, refused("127.0.0.1"), s.stdout.String())

	// When the first laptop closes one, it may open one again.
	held[0].Close()
	again := dialFrom(t, "127.0.0.2", s.addr)
	require.Eventually(t, func() bool {
		_, err := again.Write([]byte("c\n"))
		if err != nil {
			again = dialFrom(t, "127.0.0.2", s.addr)
			return false
		}
		reply, err := bufio.NewReader(again).ReadString('\n')
		if err != nil {
			again = dialFrom(t, "127.0.0.2", s.addr)
			return false
		}
		return reply == "C\n"
	}, 5*time.Second, 10*time.Millisecond)
}

// A laptop running a load test as wide as its limit (as many workers
// as connections allowed, each asking one question per connection,
// closing and connecting again) is never refused: a connection's
// place is free once it has been answered, before the polite close.
func TestALoadTestAsWideAsTheLimitIsNeverRefused(t *testing.T) {
	// The defaults: one request per connection, as in chapter 03.
	s := serveClass(t, quietSettings(), nil, func(*Class) tcpserver.Handler { return echo(true) })

	var wait sync.WaitGroup
	for range Defaults().MaxConnsPerHost {
		wait.Go(func() {
			for range 20 {
				conn, err := net.Dial("tcp", s.addr)
				if !assert.NoError(t, err) {
					return
				}
				_, err = conn.Write([]byte("q\n"))
				reply, readErr := bufio.NewReader(conn).ReadString('\n')
				conn.Close()
				if !assert.NoError(t, err) || !assert.NoError(t, readErr) || !assert.Equal(t, "Q\n", reply) {
					return
				}
			}
		})
	}
	wait.Wait()
	// A summary would come within a second.
	time.Sleep(1100 * time.Millisecond)
	assert.NotRegexp(t, refused("127.0.0.1"), s.stdout.String())
}

func TestPastMaxConnsNewClientsWait(t *testing.T) {
	// It waits on the network and on timeouts: beside the other tests.
	t.Parallel()
	settings := quietSettings()
	settings.MaxConns = 1
	s := serveClass(t, settings, nil, func(*Class) tcpserver.Handler { return echo(true) })

	// The first client takes the only slot and keeps it.
	first := dialFrom(t, "127.0.0.1", s.addr)
	_, err := first.Write([]byte("x")) // no newline: still reading
	require.NoError(t, err)

	// The second is queued by the system, not answered yet.
	second := dialFrom(t, "127.0.0.1", s.addr)
	_, err = second.Write([]byte("second\n"))
	require.NoError(t, err)
	require.NoError(t, second.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
	_, err = second.Read(make([]byte, 16))
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)

	// When the first finishes, the second gets its turn.
	_, err = first.Write([]byte("\n"))
	require.NoError(t, err)
	require.NoError(t, second.SetReadDeadline(time.Now().Add(5*time.Second)))
	reply, err := io.ReadAll(second)
	require.NoError(t, err)
	assert.Equal(t, "SECOND\n", string(reply))
}

// flakyListener fails its first Accepts with "too many open files".
type flakyListener struct {
	net.Listener
	failures atomic.Int64
	calls    atomic.Int64
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.calls.Add(1)
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp",
			Err: os.NewSyscallError("accept", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

func TestAcceptErrorsBackOffUpToASecondThenRecover(t *testing.T) {
	// It waits on timers: beside the other tests.
	t.Parallel()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	flaky := &flakyListener{Listener: inner}
	flaky.failures.Store(9)
	s := serveClass(t, quietSettings(), flaky, func(*Class) tcpserver.Handler { return echo(true) })

	// Served after the failures: Accept waited, it did not quit.
	conn := dialFrom(t, "127.0.0.1", s.addr)
	assert.Equal(t, "OK\n", askOn(t, conn, bufio.NewReader(conn), "ok\n"))
	// Nine failures, then the Accept that worked, then one waiting.
	assert.LessOrEqual(t, flaky.calls.Load(), int64(11))

	logged := s.stderr.String()
	assert.Equal(t, 9, strings.Count(logged, "too many open files"), logged)
	for _, wait := range []string{"5ms", "10ms", "20ms", "40ms", "80ms", "160ms", "320ms", "640ms", "1s"} {
		assert.Contains(t, logged, fmt.Sprintf("retrying in %s\n", wait))
	}
}
