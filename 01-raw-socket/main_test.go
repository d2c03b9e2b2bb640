package main

import (
	"bytes"
	"io"
	"net"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
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

// listen opens a listener on a free loopback port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { listener.Close() })
	return listener
}

// startServer runs this chapter's server on a free port and returns
// its address and a channel that receives serve's result.
func startServer(t *testing.T) (string, <-chan error) {
	t.Helper()
	listener := listen(t)
	done := make(chan error, 1)
	go func() {
		conn, err := acceptOne(listener, io.Discard)
		if err != nil {
			done <- err
			return
		}
		done <- serve(conn, io.Discard)
	}()
	return listener.Addr().String(), done
}

func TestDemoTranscript(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	testkit.CheckTranscript(t, "README.md", "demo", stdout.String())
}

func TestServerAnswersEachRequest(t *testing.T) {
	addr, done := startServer(t)
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)

	exchanges := []struct{ request, want string }{
		{"17\n", "T\n"},
		{"4\n", "F\n"},
		{"4j\n", "E\n"},
		{"17\r\n", "T\n"},
		{"-5\n", "F\n"},
	}
	reply := make([]byte, 16)
	for _, e := range exchanges {
		_, err := conn.Write([]byte(e.request))
		require.NoError(t, err)
		n, err := conn.Read(reply)
		require.NoError(t, err)
		assert.Equal(t, e.want, string(reply[:n]),
			"reply to %q", e.request)
	}

	// Hanging up stops the server, without an error.
	require.NoError(t, conn.Close())
	assert.NoError(t, <-done)
}

func TestServerTakesEachChunkAsOneRequest(t *testing.T) {
	// Two requests in one write arrive in one Read: with no
	// framing, the server sees "4\n5\n" and cannot read it.
	addr, done := startServer(t)
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	_, err = conn.Write([]byte("4\n5\n"))
	require.NoError(t, err)

	reply := make([]byte, 16)
	n, err := conn.Read(reply)
	require.NoError(t, err)
	assert.Equal(t, "E\n", string(reply[:n]))
	require.NoError(t, conn.Close())
	assert.NoError(t, <-done)
}

func TestServerCommandAcceptsOnlyOneClient(t *testing.T) {
	addr := testkit.FreeAddr(t)
	var stdout, stderr testkit.SyncBuffer
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"server", "-addr", addr}, &stdout, &stderr)
	}()

	// The first client connects and hangs up at once: the server
	// stops, without an error.
	var first net.Conn
	require.Eventually(t, func() bool {
		var err error
		first, err = net.Dial("tcp", addr)
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, first.Close())
	require.Equal(t, 0, <-code, "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	assert.Contains(t, stdout.String(), "the client hung up; stopping")

	// Once the server is gone, a second client is refused: the
	// source text's client reconnects for every number and fails.
	_, err := net.Dial("tcp", addr)
	assert.Error(t, err)
}

func TestServerCommandReportsAPortInUse(t *testing.T) {
	taken := listen(t)
	addr := taken.Addr().String()

	var stdout, stderr bytes.Buffer
	code := run([]string{"server", "-addr", addr}, &stdout, &stderr)

	assert.Equal(t, 1, code)
	message := stderr.String()
	assert.Equal(t, 1, strings.Count(message, "\n"),
		"want one line, got %q", message)
	assert.Contains(t, message, "cannot listen on "+addr)
	assert.NotContains(t, message, "goroutine")
	if runtime.GOOS == "linux" {
		testkit.CheckTranscript(t, "README.md", "port-in-use",
			message)
	}
}

func TestServerCommandServesOneClientAndExits(t *testing.T) {
	// Find a free port, then give it to the server command.
	addr := testkit.FreeAddr(t)

	var stdout, stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"server", "-addr", addr},
			&stdout, &stderr)
	}()

	var conn net.Conn
	require.Eventually(t, func() bool {
		var err error
		conn, err = net.Dial("tcp", addr)
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)
	_, err := conn.Write([]byte("29\n"))
	require.NoError(t, err)
	reply := make([]byte, 16)
	n, err := conn.Read(reply)
	require.NoError(t, err)
	assert.Equal(t, "T\n", string(reply[:n]))
	require.NoError(t, conn.Close())

	assert.Equal(t, 0, <-code, "stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), `received "29\n": prime`)
}

// fakeServer accepts one connection and hands it to behave.
func fakeServer(t *testing.T, behave func(net.Conn)) string {
	t.Helper()
	listener := listen(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		behave(conn)
	}()
	t.Cleanup(func() { <-done })
	return listener.Addr().String()
}

// readRequest reads the client's request, so replies come after it.
func readRequest(conn net.Conn) {
	// A fake server's errors do not matter: the test checks what
	// the client makes of its behaviour.
	buffer := make([]byte, 64)
	_, _ = conn.Read(buffer)
}

func TestClientTellsTheRepliesApart(t *testing.T) {
	cases := []struct {
		name   string
		behave func(net.Conn)
		want   string
		code   int
	}{
		{
			name: "a verdict is understood",
			behave: func(c net.Conn) {
				readRequest(c)
				_, _ = c.Write([]byte("T\n"))
				readRequest(c) // until the client hangs up
			},
			want: `client |   reply "T\n": prime` + "\n",
			code: 0,
		},
		{
			name: "E is understood too",
			behave: func(c net.Conn) {
				readRequest(c)
				_, _ = c.Write([]byte("E\n"))
				readRequest(c)
			},
			want: `client |   reply "E\n": the server could not read an integer` + "\n",
			code: 0,
		},
		{
			name: "a reply without newline is not understood",
			behave: func(c net.Conn) {
				readRequest(c)
				_, _ = c.Write([]byte("T"))
				readRequest(c)
			},
			want: `client |   reply not understood: "T"` + "\n",
			code: 1,
		},
		{
			name:   "a closed connection is no reply",
			behave: readRequest,
			want:   "client |   no reply: the server closed the connection\n",
			code:   1,
		},
		{
			name: "a silent server times out",
			behave: func(c net.Conn) {
				readRequest(c)
				readRequest(c)
			},
			want: "client |   no reply within 200ms\n",
			code: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := fakeServer(t, c.behave)
			var stdout, stderr bytes.Buffer
			args := []string{"client", "-addr", addr,
				"-timeout", "200ms", "17"}
			code := run(args, &stdout, &stderr)

			lines := strings.SplitAfter(stdout.String(), "\n")
			require.Len(t, lines, 3) // sent, meaning, ""
			assert.Equal(t, c.want, lines[1])
			assert.Equal(t, c.code, code, "stderr: %s", stderr.String())
		})
	}
}

func TestClientReportsAServerThatIsNotThere(t *testing.T) {
	addr := testkit.FreeAddr(t)

	var stdout, stderr bytes.Buffer
	code := run([]string{"client", "-addr", addr}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "cannot connect to "+addr)
	assert.Contains(t, stderr.String(), "is the server running?")
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"))
	if runtime.GOOS == "linux" {
		testkit.CheckTranscript(t, "README.md", "refused", stderr.String())
	}
}

func TestHelpExitsZeroEverywhere(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"help"}, {"server", "-h"}, {"client", "-h"},
		{"addresses", "-h"}, {"accept-queue", "-h"}, {"watch", "-h"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		assert.Equal(t, 0, code, "%q: stderr %s", args, stderr.String())
		printed := strings.ToLower(stdout.String() + stderr.String())
		assert.Contains(t, printed, "usage", "%q printed no usage", args)
	}
}

func TestABadFlagExitsTwo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"server", "-port", "1"}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), "-port")
}

func TestUnknownCommandIsAnError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"serve"}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), `unknown command "serve"`)
	assert.Contains(t, stderr.String(), "usage:")
}

// skipUnlessLinux skips a test whose output the README shows as
// Linux prints it.
func skipUnlessLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the README shows Linux's output")
	}
}

func TestAddressesTranscript(t *testing.T) {
	skipUnlessLinux(t)
	ipv6, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here:", err)
	}
	ipv6.Close()
	var stdout, stderr bytes.Buffer
	code := run([]string{"addresses"}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	testkit.CheckTranscript(t, "README.md", "addresses", stdout.String())
}

func TestServerOnEveryAddressSaysSo(t *testing.T) {
	skipUnlessLinux(t)
	// The README says that -addr 0.0.0.0:8809 prints [::]:8809.
	// Port 0 lets the system pick a free port, which the server
	// prints: no other program can take it in between.
	var stdout, stderr testkit.SyncBuffer
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"server", "-addr", "0.0.0.0:0"}, &stdout, &stderr)
	}()
	listening := regexp.MustCompile(`^server \| listening on \[::\]:(\d+)\n`)
	var port string
	require.Eventually(t, func() bool {
		found := listening.FindStringSubmatch(stdout.String())
		if found == nil {
			return false
		}
		port = found[1]
		return true
	}, 5*time.Second, time.Millisecond, "stdout: %s, stderr: %s", stdout.String(), stderr.String())
	require.NotEqual(t, "0", port)
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	require.Equal(t, 0, <-code, "stderr: %s", stderr.String())
	assert.True(t, strings.HasPrefix(stdout.String(), "server | listening on [::]:"+port+"\n"), stdout.String())
}

func TestAcceptQueue(t *testing.T) {
	// It waits for the system's timers: beside the other tests.
	t.Parallel()
	skipUnlessLinux(t)
	var stdout bytes.Buffer
	wait, err := showAcceptQueue(&stdout)
	require.NoError(t, err)
	// The first SYN was dropped; the system sends it again no
	// sooner than a second later (TCP's first retransmission
	// timeout). A slow machine can only make the wait longer.
	assert.GreaterOrEqual(t, wait, 900*time.Millisecond)
	testkit.CheckTranscript(t, "README.md", "accept-queue", stdout.String())
}

func TestWatchTranscript(t *testing.T) {
	// Not in parallel: ss lists every connection on the port,
	// and a test beside it may leave one there (in TIME-WAIT).
	skipUnlessLinux(t)
	if _, err := exec.LookPath("ss"); err != nil {
		t.Skip("ss is not installed")
	}
	var stdout, stderr bytes.Buffer
	for try := 1; ; try++ {
		stdout.Reset()
		stderr.Reset()
		code := run([]string{"watch"}, &stdout, &stderr)
		require.Equal(t, 0, code, "stderr: %s", stderr.String())
		// Another program's connection to an earlier listener on
		// the same port may still wait in TIME-WAIT, and ss lists
		// it too: then watch again, on another port.
		if !strangerOnThePort(stdout.String()) || try == 5 {
			break
		}
		t.Logf("try %d: a connection of another program on the port:\n%s", try, stdout.String())
	}
	testkit.CheckTranscript(t, "README.md", "watch", stdout.String())
}

// strangerOnThePort tells whether watch's first step, before its
// client connects, lists anything but the listener.
func strangerOnThePort(output string) bool {
	_, first, _ := strings.Cut(output, "the server listens:\n")
	first, _, _ = strings.Cut(first, "the client connects")
	return strings.Count(first, "\n") > 2
}

func TestStrangerOnThePort(t *testing.T) {
	alone := "ss -tan ..., after each step:\n" +
		"the server listens:\n" +
		"  side      State       Recv-Q Send-Q\n" +
		"  listener  LISTEN           0   4096\n" +
		"the client connects and sends \"17\\n\"; no Accept yet:\n" +
		"  side      State       Recv-Q Send-Q\n" +
		"  listener  LISTEN           1   4096\n" +
		"  server    ESTAB            3      0\n"
	assert.False(t, strangerOnThePort(alone))
	stranger := strings.Replace(alone, "4096\n", "4096\n  client    TIME-WAIT        0      0\n", 1)
	assert.True(t, strangerOnThePort(stranger))
}
