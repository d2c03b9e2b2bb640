package main

import (
	"errors"
	"syscall"
)

// A namedErrno is one of the system's error codes and its name.
type namedErrno struct {
	errno syscall.Errno
	name  string
}

// errnoName names the system's error code in err, among those the
// demonstrations meet, or returns "".
func errnoName(err error) string {
	for _, code := range demoErrnos {
		if errors.Is(err, code.errno) {
			return code.name
		}
	}
	return ""
}

// peerReset reports whether err says the peer reset the connection.
func peerReset(err error) bool { return isOneOf(err, peerResetErrnos) }

// nobodyListens reports whether err says nobody listens at the address.
func nobodyListens(err error) bool { return isOneOf(err, nobodyListensErrnos) }

// isOneOf reports whether err is one of codes.
func isOneOf(err error, codes []error) bool {
	for _, code := range codes {
		if errors.Is(err, code) {
			return true
		}
	}
	return false
}
