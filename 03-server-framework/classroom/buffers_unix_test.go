//go:build unix

package classroom

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/03-server-framework/tcpserver"
)

// A student's connection holds at most 128 KiB in the system each
// way, whatever the system would grow it to.
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
	got := <-sizes
	require.Positive(t, got[0])
	assert.LessOrEqual(t, got[0], 2*socketBufferBytes, "send buffer")
	assert.LessOrEqual(t, got[1], 2*socketBufferBytes, "receive buffer")
}
