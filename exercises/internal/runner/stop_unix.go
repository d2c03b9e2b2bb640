//go:build unix

package runner

import (
	"os/exec"
	"syscall"
)

// stopWithChildren makes command start in a process group of its
// own, and makes cancelling its context kill the whole group: the go
// command and the test binary it started, which would otherwise be
// left running without anyone to read its output.
func stopWithChildren(command *exec.Cmd) {
	command.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	command.Cancel = func() error {
		// A negative pid names the process group.
		return syscall.Kill(-command.Process.Pid, syscall.SIGKILL)
	}
}
