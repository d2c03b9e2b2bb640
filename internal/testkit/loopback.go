package testkit

import (
	"net"
	"testing"
)

// NeedLaptops skips the test unless this machine can dial from
// 127.0.0.2 and beyond, which tests use to stand for other laptops
// (each with its own limit of connections). Linux routes all of
// 127.0.0.0/8 to the loopback interface; macOS, by default, only
// 127.0.0.1.
func NeedLaptops(t testing.TB) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("this system cannot use 127.0.0.2 to stand for a second laptop: %v", err)
	}
	listener.Close()
}
