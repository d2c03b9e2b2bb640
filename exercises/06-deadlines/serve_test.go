package deadlines

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
)

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
	replies := make([]byte, 6)
	if _, err := io.ReadFull(conn, replies); err != nil ||
		string(replies) != "T\nF\nE\n" {
		t.Errorf("replies %q, %v; want %q", replies, err, "T\nF\nE\n")
	}
}

func TestASilentClientIsDisconnected(t *testing.T) {
	exercisetest.Start(t, "serve.go")
	addr, returned := start(t, 200*time.Millisecond)
	conn := dial(t, addr)

	// Say nothing. Within a few seconds (the timeout is 0.2 s),
	// ServeConn must have returned and the connection be closed.
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("ServeConn(conn, 200ms) still serving a client " +
			"silent for 5s")
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
	const idle = 500 * time.Millisecond
	addr, returned := start(t, idle)
	conn := dial(t, addr)
	replies := bufio.NewReader(conn)

	// A request every 50 ms for 1.5 s: three times the timeout in
	// all, but never a pause anywhere near it.
	for start := time.Now(); time.Since(start) < 3*idle; {
		if _, err := conn.Write([]byte("7\n")); err != nil {
			t.Fatalf("the server hung up on a client that talks "+
				"every 50ms: %v", err)
		}
		if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		reply, err := replies.ReadString('\n')
		if err != nil || reply != "T\n" {
			t.Fatalf("reply %q, %v: ServeConn(conn, %v) dropped a "+
				"client that talks every 50ms", reply, err, idle)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case <-returned:
		t.Fatal("ServeConn returned while the client was talking")
	default:
	}
}
