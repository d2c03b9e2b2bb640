package classroom

import (
	"errors"
	"syscall"
)

// isReset reports whether err is the client's reset: on Windows,
// Winsock's own error numbers.
func isReset(err error) bool {
	return errors.Is(err, syscall.WSAECONNRESET) || errors.Is(err, syscall.WSAECONNABORTED)
}
