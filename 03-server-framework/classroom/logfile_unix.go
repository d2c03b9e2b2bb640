//go:build unix

package classroom

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// openLogFile opens path to append to it, and takes it for this
// process alone: errInUse if another holds it. The system lets the
// file go when the process ends, however it ends.
func openLogFile(path string) (*os.File, error) {
	flags := os.O_APPEND | os.O_CREATE | os.O_WRONLY
	info, err := os.Stat(path)
	pipe := err == nil && info.Mode()&os.ModeNamedPipe != 0
	if pipe {
		// Opening a named pipe waits until someone reads it,
		// and Ctrl-C could not stop that wait: ask for an
		// error at once instead.
		flags |= syscall.O_NONBLOCK
	}
	file, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, syscall.ENXIO) {
		return nil, fmt.Errorf("%s is a named pipe that nobody reads", path)
	}
	if err != nil || pipe {
		return file, err
	}

	// flock, through SyscallConn: Fd would make the file blocking.
	raw, err := file.SyscallConn()
	if err != nil {
		file.Close()
		return nil, err
	}
	var lockErr error
	err = raw.Control(func(fd uintptr) {
		lockErr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
	})
	switch {
	case err != nil:
	case errors.Is(lockErr, syscall.EWOULDBLOCK):
		err = errInUse
	default:
		err = lockErr
	}
	if err != nil {
		file.Close()
		return nil, err
	}
	return file, nil
}
