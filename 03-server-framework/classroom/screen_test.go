package classroom

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/03-server-framework/tcpserver"
	"workbook/internal/testkit"
	"workbook/prime"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startServer runs the server command with answerEach on a free
// loopback address, its screen and stderr going to stdout and
// stderr, and waits until it takes connections: not until it says
// so, since stdout may be a terminal that does not read. stop cancels
// it as Ctrl-C would and returns its exit code, waiting at most 10 s.
func startServer(t *testing.T, stdout, stderr io.Writer, flags ...string) (addr string, stop func() int) {
	t.Helper()
	addr = testkit.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	args := append([]string{"-addr", addr}, flags...)
	go func() { code <- runServer(ctx, args, stdout, stderr) }()

	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("the server did not start: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return addr, func() int {
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("the server did not stop within 10 s")
			return -1
		}
	}
}

// pipeline sends n requests "97\n" on one connection from laddr
// ("" for any), reading the replies as they come, and returns how
// many were "T\n".
func pipeline(t *testing.T, addr, laddr string, n int) int {
	t.Helper()
	dialer := net.Dialer{Timeout: 5 * time.Second}
	if laddr != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(laddr)}
	}
	conn, err := dialer.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(20*time.Second)))
	go func() {
		_, _ = conn.Write([]byte(strings.Repeat("97\n", n)))
	}()
	replies := bufio.NewReader(conn)
	answered := 0
	for range n {
		reply, err := replies.ReadString('\n')
		if err != nil {
			break
		}
		if reply == "T\n" {
			answered++
		}
	}
	return answered
}

// stuckTerminal is a terminal that stopped reading (Ctrl-S): every
// Write waits until the test lets it go.
type stuckTerminal struct{ release chan struct{} }

func (s stuckTerminal) Write(p []byte) (int, error) {
	<-s.release
	return len(p), nil
}

func TestAStoppedTerminalHoldsUpNeitherServingNorCtrlC(t *testing.T) {
	terminal := stuckTerminal{release: make(chan struct{})}
	// Let the writing goroutines go at the end, for goleak.
	defer close(terminal.release)
	addr, stop := startServer(t, terminal, terminal, "-log", "off")

	// Three clients pipeline 3,000 requests each: each one is shown
	// or counted, and none waits for the terminal.
	const clients, requests = 3, 3000
	var wait sync.WaitGroup
	answered := make([]int, clients)
	for i := range clients {
		wait.Go(func() { answered[i] = pipeline(t, addr, "", requests) })
	}
	wait.Wait()
	for i := range clients {
		assert.Equal(t, requests, answered[i], "client %d", i)
	}
	// Ctrl-C: the server exits without waiting for the terminal.
	assert.Equal(t, 0, stop())
}

func TestTheScreenShowsAFewRequestsAndCountsTheRestByHost(t *testing.T) {
	var out testkit.SyncBuffer
	screen := NewScreen(&out)
	class := testClass(screen, nil)
	sent := map[string]int{"127.0.0.2": 5000, "10.0.0.7": 300}
	for host, n := range sent {
		student := class.student(host + ":40000")
		for range n {
			class.record(student, []byte("97\n"), false, prime.Prime)
		}
	}
	screen.Close(time.Now().Add(5 * time.Second))

	// Every request is on the screen, or in a summary's count.
	shown := map[string]int{}
	summarized := map[string]int{}
	requestLine := regexp.MustCompile(`^server \| (\S+):\d+ sent "97\\n": T$`)
	summaryLine := regexp.MustCompile(`^server \| [\d,]+ requests? not shown: (.*)$`)
	for line := range strings.Lines(out.String()) {
		line = strings.TrimSuffix(line, "\n")
		if m := requestLine.FindStringSubmatch(line); m != nil {
			shown[m[1]]++
			continue
		}
		m := summaryLine.FindStringSubmatch(line)
		require.NotNil(t, m, "unexpected line %q", line)
		for part := range strings.SplitSeq(m[1], ", ") {
			host, count, ok := strings.Cut(part, " ")
			require.True(t, ok, part)
			n, err := strconv.Atoi(strings.ReplaceAll(count, ",", ""))
			require.NoError(t, err)
			summarized[host] += n
		}
	}
	for host, n := range sent {
		assert.Equal(t, n, shown[host]+summarized[host], "host %s", host)
	}
	// 5,300 lines would take minutes at the screen's rate.
	assert.Less(t, shown["127.0.0.2"]+shown["10.0.0.7"], 1000)
	assert.Positive(t, summarized["127.0.0.2"])
}

func TestConnectionEndingsAreSaidOncePerHostAndReason(t *testing.T) {
	var out testkit.SyncBuffer
	screen := NewScreen(&out)
	class := testClass(screen, nil)
	student := &net.TCPAddr{IP: net.ParseIP("127.0.0.2"), Port: 1}
	other := &net.TCPAddr{IP: net.ParseIP("10.0.0.7"), Port: 2}
	for range 500 {
		screen.ended(student, class.whyRefused())
	}
	ended := func(err error) {
		if why := class.whyEnded(err); why != "" {
			screen.ended(other, why)
		}
	}
	for range 3 {
		ended(tcpserver.ErrIdleTimeout)
	}
	ended(resetError)
	ended(tcpserver.ErrLineTooLong)
	// Normal endings are not worth a line.
	for range 100 {
		ended(nil)
		ended(tcpserver.ErrServerClosed)
	}
	screen.Close(time.Now().Add(5 * time.Second))

	counts := map[string]int{}
	lines := 0
	shape := regexp.MustCompile(`^server \| (\S+): ([\d,]+) connections? (.*)$`)
	for line := range strings.Lines(out.String()) {
		m := shape.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
		require.NotNil(t, m, "unexpected line %q", line)
		n, err := strconv.Atoi(strings.ReplaceAll(m[2], ",", ""))
		require.NoError(t, err)
		counts[m[1]+" "+m[3]] += n
		lines++
	}
	assert.Equal(t, map[string]int{
		"127.0.0.2 closed at once: over the 32 allowed per host (-max-conns-per-host)":        500,
		"10.0.0.7 ended: no line sent, or no reply taken, for 5m0s (-idle-timeout)":           3,
		"10.0.0.7 ended: reset by the client":                                                 1,
		"10.0.0.7 ended: no newline within the first 1,024 bytes of a line (-max-line-bytes)": 1,
	}, counts)
	// A summary line per host and reason, not one per connection.
	assert.Less(t, lines, 50)
}

func TestScreenCloseDoesNotWaitForeverForAStuckTerminal(t *testing.T) {
	terminal := stuckTerminal{release: make(chan struct{})}
	defer close(terminal.release)
	screen := NewScreen(terminal)
	for i := range 1000 {
		fmt.Fprintf(screen, "line %d\n", i)
	}
	closed := make(chan struct{})
	go func() {
		screen.Close(time.Now().Add(100 * time.Millisecond))
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the terminal")
	}
}

func TestEmptyAddrIsRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	var stdout, stderr testkit.SyncBuffer
	code := runServer(context.Background(), []string{"-addr", ""}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Equal(t, "server: -addr is empty: give host:port, 127.0.0.1:8809 for this machine only or 0.0.0.0:8809 for a classroom\n", stderr.String())
	assert.Empty(t, stdout.String())
}

func TestStudentAddresses(t *testing.T) {
	interfaces := []net.Addr{
		&net.IPNet{IP: net.ParseIP("127.0.0.1"), Mask: net.CIDRMask(8, 32)},
		&net.IPNet{IP: net.ParseIP("192.168.1.23"), Mask: net.CIDRMask(24, 32)},
		&net.IPNet{IP: net.ParseIP("::1"), Mask: net.CIDRMask(128, 128)},
		&net.IPNet{IP: net.ParseIP("fe80::1"), Mask: net.CIDRMask(64, 128)},
		&net.IPNet{IP: net.ParseIP("2001:db8::5"), Mask: net.CIDRMask(64, 128)},
		&net.IPNet{IP: net.ParseIP("10.0.0.7"), Mask: net.CIDRMask(8, 32)},
	}
	assert.Equal(t,
		[]string{"192.168.1.23:8809", "10.0.0.7:8809", "[2001:db8::5]:8809"},
		studentAddresses(interfaces, "8809"))
}

func TestAServerOnEveryInterfaceNamesAddressesToType(t *testing.T) {
	var stdout, stderr testkit.SyncBuffer
	// Port 0: any free port, on every interface.
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- runServer(ctx, []string{"-addr", "0.0.0.0:0", "-log", "off"}, &stdout, &stderr)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stdout.String(), "on this machine: ") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	assert.Equal(t, 0, <-code, stderr.String())
	output := stdout.String()
	assert.Regexp(t, `server \| listening on every interface, port \d+; Ctrl-C stops\n`, output)
	assert.Contains(t, output, "server | students type ")
	assert.Regexp(t, `server \| on this machine: 127\.0\.0\.1:\d+\n`, output)
	assert.NotContains(t, output, "[::]")
	assert.NotContains(t, output, "0.0.0.0")
}
