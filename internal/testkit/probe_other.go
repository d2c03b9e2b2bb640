//go:build !linux

package testkit

import "net"

// listenAlone listens on addr. FreeAddr uses it on Linux only.
func listenAlone(addr string) (net.Listener, error) {
	return net.Listen("tcp", addr)
}
