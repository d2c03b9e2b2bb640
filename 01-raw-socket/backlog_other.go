//go:build !unix

package main

import (
	"errors"
	"net"
)

// shrinkBacklog is written for Unix systems only.
func shrinkBacklog(*net.TCPListener, int) error {
	return errors.New("the accept-queue command needs a Unix system, such as Linux")
}
