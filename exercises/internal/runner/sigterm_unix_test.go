//go:build unix

package runner

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSIGTERMStopsTheRunnerAndItsTests(t *testing.T) {
	t.Parallel()
	binary := runnerBinary(t)

	module := fakeModule(t)
	exerciseOf(t, module, "01-stuck", noFlags, "package code\n", stuckTest)
	command := exec.Command(binary, "check", "1")
	command.Dir = module
	var output strings.Builder
	command.Stdout = &output
	command.Stderr = &output
	require.NoError(t, command.Start())
	pid := testBinaryPid(t, module)

	// What an editor's stop button sends.
	require.NoError(t, command.Process.Signal(syscall.SIGTERM))
	exited := make(chan error, 1)
	go func() { exited <- command.Wait() }()
	select {
	case err := <-exited:
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr)
		assert.Equal(t, 1, exitErr.ExitCode())
	case <-time.After(time.Minute):
		_ = command.Process.Kill()
		<-exited
		t.Fatal("the runner did not exit on SIGTERM")
	}
	assert.Equal(t, "exercises: stopped before the tests finished\n", output.String())
	assert.Eventually(t, func() bool { return !alive(pid) },
		10*time.Second, 10*time.Millisecond, "the test binary still runs")
}
