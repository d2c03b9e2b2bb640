//go:build !windows

package classroom

import (
	"errors"
	"syscall"
)

// isReset reports whether err is the client's reset.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET)
}
