//go:build windows

package main

import "syscall"

// The system's error codes the demonstrations meet, as Winsock
// gives them: Windows has no EPIPE for sockets, and Go's
// syscall.ECONNRESET is not the number Winsock returns.
var (
	demoErrnos = []namedErrno{
		{syscall.WSAECONNRESET, "WSAECONNRESET"},
		{syscall.WSAECONNABORTED, "WSAECONNABORTED"},
	}
	// Winsock reports a connection its peer reset as reset, or,
	// once the system has given up on it, as aborted.
	peerResetErrnos = []error{syscall.WSAECONNRESET, syscall.WSAECONNABORTED}
	// WSAECONNREFUSED, which the syscall package does not name.
	nobodyListensErrnos = []error{syscall.Errno(10061)}
)
