package classroom

import "syscall"

// resetError is the error a read or write meets when the client
// resets the connection: Winsock's own.
var resetError error = syscall.WSAECONNRESET
