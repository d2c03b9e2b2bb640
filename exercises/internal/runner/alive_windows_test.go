//go:build windows

package runner

import "syscall"

// alive reports whether a process runs: it exists, and has not
// exited.
func alive(pid int) bool {
	const synchronize = 0x00100000
	process, err := syscall.OpenProcess(synchronize, false, uint32(pid))
	if err != nil {
		return false
	}
	defer syscall.CloseHandle(process)
	event, err := syscall.WaitForSingleObject(process, 0)
	return err == nil && event == syscall.WAIT_TIMEOUT
}
