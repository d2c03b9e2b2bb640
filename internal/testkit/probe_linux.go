package testkit

import (
	"context"
	"net"
	"syscall"
)

// listenAlone listens on addr without SO_REUSEADDR, which Go sets
// on every listener: the system then refuses a port that any socket
// holds, a connection waiting in TIME-WAIT included. A program that
// does not set SO_REUSEADDR (Python's socket, by default) could not
// listen on such a port either.
func listenAlone(addr string) (net.Listener, error) {
	config := net.ListenConfig{
		Control: func(network, address string, conn syscall.RawConn) error {
			var setErr error
			err := conn.Control(func(fd uintptr) {
				setErr = syscall.SetsockoptInt(int(fd),
					syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 0)
			})
			if err != nil {
				return err
			}
			return setErr
		},
	}
	return config.Listen(context.Background(), "tcp", addr)
}
