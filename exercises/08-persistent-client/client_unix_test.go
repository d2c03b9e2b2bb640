//go:build unix

package persistentclient

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
)

// TestAskAllGivesUpOnAServerThatNeverAccepts dials a server whose
// queue of connections waiting to be accepted is full: the kernel
// drops each new SYN, and the client sends it again and again, for
// about two minutes on Linux, unless the dial has a time limit.
// AskAll promises to wait at most 5 s. (Unix only: Windows refuses
// such a connection at once.)
func TestAskAllGivesUpOnAServerThatNeverAccepts(t *testing.T) {
	exercisetest.Start(t, "client.go")
	t.Parallel()
	addr := fullListener(t)
	returned := make(chan error, 1)
	go func() {
		_, err := AskAll(addr, []string{"7"})
		returned <- err
	}()
	select {
	case err := <-returned:
		if err == nil {
			t.Errorf("AskAll with a server that never accepts = " +
				"nil error, want an error")
		}
	case <-time.After(5*time.Second + slack):
		// The test's end closes the listener, which ends the dial
		// at its next SYN.
		t.Errorf("AskAll still connecting after %v to a server "+
			"that never accepts: dial with a time limit "+
			"(net.DialTimeout)", 5*time.Second+slack)
	}
}

// fullListener returns the address of a socket that listens with
// the shortest queue the system allows, never accepts, and has its
// queue filled: a new connection there waits for a SYN-ACK that does
// not come. Go's net.Listen asks for the longest queue, so the
// socket is made by hand.
func fullListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	loopback := &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := syscall.Bind(fd, loopback); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	name, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", name.(*syscall.SockaddrInet4).Port)

	// Connect until a connection gets no answer within half a
	// second: the queue is full. The ones that got in stay open.
	for range 16 {
		conn, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { conn.Close() })
	}
	t.Skip("the queue of connections to accept did not fill up")
	return ""
}
