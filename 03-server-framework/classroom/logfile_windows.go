package classroom

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// errorSharingViolation is Windows' ERROR_SHARING_VIOLATION: another
// process has the file open in a way that excludes ours.
const errorSharingViolation = syscall.Errno(32)

// openLogFile opens path to append to it, and takes it for this
// process alone: others may read it, not write to it, and errInUse
// if another holds it. Windows lets the file go when the process
// ends, however it ends.
func openLogFile(path string) (*os.File, error) {
	name, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	handle, err := syscall.CreateFile(name, syscall.GENERIC_WRITE,
		syscall.FILE_SHARE_READ, nil, syscall.OPEN_ALWAYS,
		syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if errors.Is(err, errorSharingViolation) {
		return nil, errInUse
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	file := os.NewFile(uintptr(handle), path)
	// Nobody else writes to it: appending is writing at its end.
	if _, err := file.Seek(0, io.SeekEnd); err != nil {
		file.Close()
		return nil, err
	}
	return file, nil
}
