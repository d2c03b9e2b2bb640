//go:build !windows

package runner

import "os"

// watchParent returns a function that reports whether the process
// that started this one has ended. On Unix, a process whose parent
// ends gets a new one, so the parent's id changes.
func watchParent() (gone func() bool, release func()) {
	parent := os.Getppid()
	return func() bool { return os.Getppid() != parent }, func() {}
}
