package testkit

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A Command is a chapter's run function: main with its arguments and
// outputs passed in, returning the exit code.
type Command func(ctx context.Context, args []string,
	stdout, stderr io.Writer) int

// A Stopped server command's exit code and what it printed.
type Stopped struct {
	Code           int
	Stdout, Stderr string
}

// StartServer runs `server -addr ADDR flags...` with a free loopback
// address, waits until it says it is listening, and returns the
// address and a function that stops it as Ctrl-C would.
func StartServer(t testing.TB, run Command, flags ...string) (
	addr string, stop func() Stopped) {
	t.Helper()
	for try := 1; ; try++ {
		addr, stop, inUse := startOnce(t, run, flags)
		if !inUse {
			return addr, stop
		}
		// Another program took the port between FreeAddr and
		// the server's Listen: rare, and no fault of the server.
		if try == 3 {
			t.Fatalf("the server could not start: %s is in use", addr)
		}
		t.Logf("try %d: %s was taken before the server listened", try, addr)
	}
}

// startOnce is one try of StartServer. It tells whether the server
// could not listen because its address was in use.
func startOnce(t testing.TB, run Command, flags []string) (
	addr string, stop func() Stopped, inUse bool) {
	t.Helper()
	addr = FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr SyncBuffer
	code := make(chan int, 1)
	args := append([]string{"server", "-addr", addr}, flags...)
	go func() { code <- run(ctx, args, &stdout, &stderr) }()

	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stdout.String(), "listening on") {
		select {
		case <-code:
			cancel()
			if addressInUse(stderr.String()) {
				return addr, nil, true
			}
			t.Fatalf("the server did not start: %s", stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			<-code
			t.Fatalf("the server did not start: %s", stderr.String())
		}
		time.Sleep(time.Millisecond)
	}
	return addr, func() Stopped {
		cancel()
		return Stopped{<-code, stdout.String(), stderr.String()}
	}, false
}

// addressInUse reports whether a server's error says its address was
// in use: in Linux's and macOS's words, or in Windows' words for
// WSAEADDRINUSE.
func addressInUse(message string) bool {
	message = strings.ToLower(message)
	return strings.Contains(message, "address already in use") ||
		strings.Contains(message, "only one usage of each socket address")
}

// FreeAddr returns a loopback address with a port nobody uses now,
// for a program that must be told its port before it listens.
//
// Between now and then, any other program may take the port. The
// system itself hands out ports from its ephemeral range, to every
// connection a client opens and to every listener on port 0: on
// Linux, FreeAddr picks a port below that range, which the system
// never hands out, so that only a program asking for that very port
// could take it. Nor does it pick a port where an earlier connection
// still waits in TIME-WAIT. Elsewhere it asks for port 0.
func FreeAddr(t testing.TB) string {
	t.Helper()
	if low, high, ok := belowEphemeral(); ok {
		for range 100 {
			port := low + rand.IntN(high-low)
			if !handOut(port) {
				// A test of this process has it already.
				continue
			}
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			listener, err := listenAlone(addr)
			if err == nil {
				listener.Close()
				return addr
			}
		}
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer listener.Close()
	return listener.Addr().String()
}

// handedOut holds the ports FreeAddr has returned in this process,
// which it never returns twice: tests running in parallel must not
// be given the same port.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// handOut reports whether port was never handed out before, and
// counts it as handed out from now on.
func handOut(port int) bool {
	handedOut.Lock()
	defer handedOut.Unlock()
	if handedOut.ports[port] {
		return false
	}
	handedOut.ports[port] = true
	return true
}

// belowEphemeral returns ports from low up to high (excluded) below
// the system's ephemeral range, as Linux tells it, and above the
// ports only an administrator may use.
func belowEphemeral() (low, high int, ok bool) {
	text, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0, false
	}
	// The file reads "32768\t60999\n".
	fields := strings.Fields(string(text))
	if len(fields) != 2 {
		return 0, 0, false
	}
	high, err = strconv.Atoi(fields[0])
	if err != nil {
		return 0, 0, false
	}
	low = max(1024, high/2)
	return low, high, high-low >= 1000
}

// CheckPortInUse runs `server -addr ADDR flags...` on an address that
// another listener holds, and checks that the server fails as a
// learner should see it fail: exit code 1, and one line on stderr
// that names the address, no stack trace. It returns that line.
func CheckPortInUse(t testing.TB, run Command, flags ...string) string {
	t.Helper()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("taking a port: %v", err)
	}
	defer taken.Close()
	addr := taken.Addr().String()

	var stdout, stderr SyncBuffer
	args := append([]string{"server", "-addr", addr}, flags...)
	code := run(context.Background(), args, &stdout, &stderr)
	message := stderr.String()
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if strings.Count(message, "\n") != 1 ||
		!strings.Contains(message, "cannot listen on "+addr) {
		t.Errorf("stderr %q, want one line naming %s", message, addr)
	}
	return message
}
