//go:build !windows

package main

import "syscall"

// The system's error codes the demonstrations meet, by the names
// Linux and macOS give them.
var (
	// A write to a connection the peer has closed: a broken pipe
	// once the peer's reset has come back, or the reset itself.
	demoErrnos = []namedErrno{
		{syscall.EPIPE, "EPIPE"},
		{syscall.ECONNRESET, "ECONNRESET"},
	}
	peerResetErrnos     = []error{syscall.ECONNRESET}
	nobodyListensErrnos = []error{syscall.ECONNREFUSED}
)
