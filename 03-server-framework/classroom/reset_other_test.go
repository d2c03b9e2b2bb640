//go:build !windows

package classroom

import "syscall"

// resetError is the error a read or write meets when the client
// resets the connection.
var resetError error = syscall.ECONNRESET
