package testkit

import (
	"context"
	"io"
	"net"
	"strings"
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
	addr = FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr SyncBuffer
	code := make(chan int, 1)
	args := append([]string{"server", "-addr", addr}, flags...)
	go func() { code <- run(ctx, args, &stdout, &stderr) }()

	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stdout.String(), "listening on") {
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
	}
}

// FreeAddr returns a loopback address with a port nobody uses now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer listener.Close()
	return listener.Addr().String()
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
