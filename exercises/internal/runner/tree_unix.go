//go:build unix

package runner

import (
	"os/exec"
	"syscall"
)

// A tree is a command and every process it starts: on Unix, a
// process group of its own.
type tree struct {
	command *exec.Cmd
}

// newTree makes command start in a process group of its own, and
// makes cancelling its context kill the whole group: the go command
// and the test binary it started, which would otherwise be left
// running without anyone to read its output.
func newTree(command *exec.Cmd) *tree {
	t := &tree{command: command}
	command.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	command.Cancel = t.kill
	return t
}

// started is called once the command runs: nothing to do on Unix.
func (t *tree) started() {}

// kill kills every process of the group still running.
func (t *tree) kill() error {
	// A negative pid names the process group.
	err := syscall.Kill(-t.command.Process.Pid, syscall.SIGKILL)
	if err == syscall.ESRCH {
		return nil // nobody left
	}
	return err
}

// release frees what the tree holds: nothing on Unix.
func (t *tree) release() {}
