//go:build windows

package runner

import (
	"os/exec"
	"strconv"
)

// stopWithChildren makes cancelling command's context kill the go
// command and every process it started, the test binary included:
// taskkill /T stops a process and its whole tree.
func stopWithChildren(command *exec.Cmd) {
	command.Cancel = func() error {
		pid := strconv.Itoa(command.Process.Pid)
		err := exec.Command("taskkill", "/T", "/F", "/PID", pid).Run()
		if err != nil {
			return command.Process.Kill()
		}
		return nil
	}
}
