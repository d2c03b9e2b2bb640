//go:build unix

package main

import (
	"net"
	"syscall"
)

// shrinkBacklog lets at most about backlog connections wait for
// Accept. Go asks for the system's maximum when it listens (see
// /proc/sys/net/core/somaxconn on Linux); calling listen(2) again on
// the same socket changes the number.
func shrinkBacklog(listener *net.TCPListener, backlog int) error {
	raw, err := listener.SyscallConn()
	if err != nil {
		return err
	}
	var listenErr error
	err = raw.Control(func(fd uintptr) {
		listenErr = syscall.Listen(int(fd), backlog)
	})
	if err != nil {
		return err
	}
	return listenErr
}
