package classroom

import (
	"net"
	"syscall"
	"unsafe"
)

// Linux's ioctls for a TCP socket's queues: bytes received and not
// yet read (SIOCINQ), bytes sent and not yet acknowledged (SIOCOUTQ).
const (
	siocinq  = 0x541B
	siocoutq = 0x5411
)

// repliesLostOnClose is how many replies a close of conn is about to
// lose: when the client has sent bytes the server never read, the
// system answers the close with a reset and drops what the client has
// not yet acknowledged. Replies are two bytes each.
func repliesLostOnClose(conn net.Conn) int64 {
	tcp, ok := conn.(*net.TCPConn)
	if !ok {
		return 0
	}
	raw, err := tcp.SyscallConn()
	if err != nil {
		return 0
	}
	var unread, unacknowledged int32
	_ = raw.Control(func(fd uintptr) {
		ioctl(fd, siocinq, &unread)
		ioctl(fd, siocoutq, &unacknowledged)
	})
	if unread == 0 {
		return 0
	}
	return int64(unacknowledged+1) / 2
}

// ioctl asks the system one number about the socket fd; on an error,
// the number stays as it was.
func ioctl(fd uintptr, request uintptr, value *int32) {
	_, _, _ = syscall.Syscall(syscall.SYS_IOCTL, fd, request, uintptr(unsafe.Pointer(value)))
}
