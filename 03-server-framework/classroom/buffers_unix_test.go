//go:build unix

package classroom

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"workbook/03-server-framework/tcpserver"
)

// A student's connection holds at most 128 KiB in the system each
// way, instead of what the system would grow it to.
func TestAConnectionsSocketBuffersAreBounded(t *testing.T) {
	sizes := make(chan [2]int, 1)
	s := serveClass(t, quietSettings(), nil, func(*Class) tcpserver.Handler {
		return tcpserver.HandlerFunc(func(c *tcpserver.Conn) {
			raw, err := c.NetConn.(*studentConn).Conn.(syscall.Conn).SyscallConn()
			if err != nil {
				sizes <- [2]int{-1, -1}
				return
			}
			var send, receive int
			_ = raw.Control(func(fd uintptr) {
				send, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF)
				receive, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
			})
			sizes <- [2]int{send, receive}
		})
	})
	conn := dialFrom(t, "127.0.0.1", s.addr)
	defer conn.Close()
	// Set, and so no longer grown by the system: Linux reports
	// twice what was set, macOS what was set. (A new socket's own
	// send buffer starts at 16 KiB on Linux, and grows.)
	set := []int{socketBufferBytes, 2 * socketBufferBytes}
	got := <-sizes
	assert.Contains(t, set, got[0], "send buffer")
	assert.Contains(t, set, got[1], "receive buffer")
}
