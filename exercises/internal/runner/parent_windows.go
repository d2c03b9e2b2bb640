//go:build windows

package runner

import (
	"os"
	"syscall"
)

// watchParent returns a function that reports whether the process
// that started this one has ended. On Windows a process keeps the id
// of its parent after the parent ends, so the runner holds a handle
// to the parent instead, which tells when the parent has ended (and
// keeps its id from going to another process meanwhile).
func watchParent() (gone func() bool, release func()) {
	const synchronize = 0x00100000 // the right to wait for it
	parent, err := syscall.OpenProcess(synchronize, false,
		uint32(os.Getppid()))
	if err != nil {
		// Gone already, or out of reach: nothing to watch.
		return func() bool { return false }, func() {}
	}
	gone = func() bool {
		event, err := syscall.WaitForSingleObject(parent, 0)
		return err == nil && event == syscall.WAIT_OBJECT_0
	}
	return gone, func() { syscall.CloseHandle(parent) }
}
