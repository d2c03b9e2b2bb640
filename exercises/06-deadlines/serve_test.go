package deadlines

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"workbook/exercises/internal/exercisetest"
)

// slack is how much later than asked a timeout may come, on a busy
// machine running the race detector: generous, yet far less than
// ten times the timeouts asked for below.
const slack = 1500 * time.Millisecond

// start runs ServeConn behind a listener on a free port and returns
// the address, and a channel told each time ServeConn returns.
func start(t *testing.T, idle time.Duration) (string, <-chan struct{}) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	returned := make(chan struct{}, 10)
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go func() {
				ServeConn(conn, idle)
				conn.Close()
				returned <- struct{}{}
			}()
		}
	}()
	t.Cleanup(func() { listener.Close() })
	return listener.Addr().String(), returned
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestRepliesToEachLine(t *testing.T) {
	exercisetest.Start(t, "serve.go")
	addr, _ := start(t, time.Second)
	conn := dial(t, addr)
	if _, err := conn.Write([]byte("17\n4\n4j\n")); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	// Only the n bytes read are the server's: the rest of the
	// buffer is zeros nobody sent.
	replies := make([]byte, 6)
	n, err := io.ReadFull(conn, replies)
	if err != nil || string(replies[:n]) != "T\nF\nE\n" {
		t.Errorf("replies %q, %v; want %q", replies[:n], err,
			"T\nF\nE\n")
	}
}

// TestATimedOutReadLeavesNothingBehind runs ServeConn for a silent
// client, then closes the connection as the caller does: after that,
// nothing ServeConn started may still be running. A goroutine that
// waits for a line while ServeConn watches a timer is left behind.
func TestATimedOutReadLeavesNothingBehind(t *testing.T) {
	exercisetest.Start(t, "serve.go")
	before := goleak.IgnoreCurrent()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	client := dial(t, listener.Addr().String())
	conn, err := listener.Accept()
	if err != nil {
		t.Fatal(err)
	}

	returned := make(chan struct{})
	go func() {
		defer close(returned)
		ServeConn(conn, 100*time.Millisecond)
	}()
	select {
	case <-returned:
	case <-time.After(100*time.Millisecond + slack):
		conn.Close()
		t.Fatalf("ServeConn(conn, 100ms) still serving a client "+
			"silent for %v", 100*time.Millisecond+slack)
	}
	conn.Close()
	client.Close()
	listener.Close()

	if err := goleak.Find(before); err != nil {
		t.Errorf("ServeConn returned and its connection is closed, "+
			"but a goroutine it started is still running:\n%s",
			firstLines(err.Error(), 4))
	}
}

// TestAClientThatResetsLeavesNothingBehind has a client send many
// lines, read no reply and reset the connection: the writes of the
// replies fail and ServeConn returns, long before its timeout. After
// that, nothing ServeConn started may still be running: neither a
// goroutine holding the next line, blocked on a channel nobody reads
// any more, nor a timer goroutine waiting out idle for a client that
// has gone.
func TestAClientThatResetsLeavesNothingBehind(t *testing.T) {
	exercisetest.Start(t, "serve.go")
	before := goleak.IgnoreCurrent()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	client := dial(t, listener.Addr().String())
	conn, err := listener.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	const idle = 10 * time.Second
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		ServeConn(conn, idle)
	}()

	// 20,000 requests at once, then a reset: SetLinger(0) makes
	// Close send RST instead of FIN.
	requests := strings.Repeat("7\n", 20000)
	if _, err := client.Write([]byte(requests)); err != nil {
		t.Fatal(err)
	}
	if err := client.(*net.TCPConn).SetLinger(0); err != nil {
		t.Fatal(err)
	}
	client.Close()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatalf("ServeConn(conn, %v) still serving 5 s after its "+
			"client reset the connection: a failed Write or Read "+
			"ends it", idle)
	}
	conn.Close()
	listener.Close()

	if err := goleak.Find(before); err != nil {
		t.Errorf("ServeConn returned after its client reset the "+
			"connection, and the connection is closed,\nbut a "+
			"goroutine it started is still running: one blocked "+
			"handing over a line nobody takes any more?\nOne "+
			"waiting out idle for a client that has gone?\n%s",
			firstLines(err.Error(), 4))
	}
}

// firstLines keeps the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

func TestASilentClientIsDisconnected(t *testing.T) {
	exercisetest.Start(t, "serve.go")
	t.Parallel()
	const idle = 250 * time.Millisecond
	addr, returned := start(t, idle)
	began := time.Now()
	conn := dial(t, addr)

	// Say nothing. ServeConn must return once the client has been
	// silent for idle, not sooner, and not much later.
	select {
	case <-returned:
	case <-time.After(idle + slack):
		t.Fatalf("ServeConn(conn, %v) still serving a client silent "+
			"for %v", idle, idle+slack)
	}
	if waited := time.Since(began); waited < idle {
		t.Errorf("ServeConn(conn, %v) let a silent client go after "+
			"%v, before the %v were up", idle,
			waited.Round(time.Millisecond), idle)
	}
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("the client's Read after the timeout: %v, want EOF",
			err)
	}
}

func TestAClientThatKeepsTalkingStays(t *testing.T) {
	exercisetest.Start(t, "serve.go")
	t.Parallel()
	const idle, pause = 800 * time.Millisecond, 200 * time.Millisecond
	addr, returned := start(t, idle)
	conn := dial(t, addr)
	replies := bufio.NewReader(conn)

	// A request every 200 ms for 2 s: two and a half times the
	// timeout in all, but never a pause anywhere near it.
	var lastReply time.Time
	for began := time.Now(); time.Since(began) < 2*time.Second; {
		if _, err := conn.Write([]byte("7\n")); err != nil {
			t.Fatalf("the server hung up on a client that talks "+
				"every %v: %v", pause, err)
		}
		wait := time.Now().Add(5 * time.Second)
		if err := conn.SetReadDeadline(wait); err != nil {
			t.Fatal(err)
		}
		reply, err := replies.ReadString('\n')
		if err != nil || reply != "T\n" {
			t.Fatalf("reply %q, %v: ServeConn(conn, %v) dropped a "+
				"client that talks every %v, after %v", reply, err,
				idle, pause, time.Since(began).Round(time.Millisecond))
		}
		lastReply = time.Now()
		time.Sleep(pause)
	}
	select {
	case <-returned:
		t.Fatal("ServeConn returned while the client was talking")
	default:
	}

	// Then silence: the clock started again with the last request.
	select {
	case <-returned:
	case <-time.After(idle + slack):
		t.Fatalf("ServeConn(conn, %v) still serving a client silent "+
			"for %v since its last request", idle, idle+slack)
	}
	if waited := time.Since(lastReply); waited < idle/2 {
		t.Errorf("ServeConn(conn, %v) let the client go %v after its "+
			"last request", idle, waited.Round(time.Millisecond))
	}
}
