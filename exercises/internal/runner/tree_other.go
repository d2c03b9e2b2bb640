//go:build !unix && !windows

package runner

import "os/exec"

// A tree is a command; on this system, the runner cannot find the
// processes it starts, and keeps exec's default: cancelling the
// command's context kills the go command itself.
type tree struct{}

func newTree(command *exec.Cmd) *tree { return &tree{} }

func (t *tree) started()    {}
func (t *tree) kill() error { return nil }
func (t *tree) release()    {}
