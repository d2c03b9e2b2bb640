//go:build !unix && !windows

package runner

import "os/exec"

// stopWithChildren keeps exec's default on other systems: cancelling
// command's context kills the go command itself.
func stopWithChildren(command *exec.Cmd) {}
