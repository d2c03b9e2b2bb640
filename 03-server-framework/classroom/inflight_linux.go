package classroom

import (
	"net"
	"syscall"
	"unsafe"
)

// siocoutq is Linux's ioctl for the bytes a TCP socket has sent and
// the other side has not yet acknowledged.
const siocoutq = 0x5411

// repliesLostOnClose is how many replies a close of conn may lose,
// when the client has not ended its side: it is still sending, and the
// system will answer its next bytes with a reset, dropping what the
// client has not yet acknowledged. Replies are two bytes each; sentFIN
// says the end of the data was sent, which the count of bytes not yet
// acknowledged includes as one.
func repliesLostOnClose(conn net.Conn, sentFIN bool) int64 {
	tcp, ok := conn.(*net.TCPConn)
	if !ok {
		return 0
	}
	raw, err := tcp.SyscallConn()
	if err != nil {
		return 0
	}
	var unacknowledged int32
	_ = raw.Control(func(fd uintptr) {
		ioctl(fd, siocoutq, &unacknowledged)
	})
	if sentFIN && unacknowledged > 0 {
		unacknowledged--
	}
	return int64(unacknowledged+1) / 2
}

// ioctl asks the system one number about the socket fd; on an error,
// the number stays as it was.
func ioctl(fd uintptr, request uintptr, value *int32) {
	_, _, _ = syscall.Syscall(syscall.SYS_IOCTL, fd, request, uintptr(unsafe.Pointer(value)))
}
