//go:build unix

package runner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stuckTest never ends, and writes its process id where the test
// can find it.
const stuckTest = `package code

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func TestStuck(t *testing.T) {
	os.WriteFile("pid.tmp", []byte(strconv.Itoa(os.Getpid())), 0o644)
	os.Rename("pid.tmp", "pid")
	time.Sleep(time.Hour)
}
`

// testBinaryPid waits for the stuck test to write its process id.
func testBinaryPid(t *testing.T, module string) int {
	t.Helper()
	pidFile := filepath.Join(module, "exercises", "01-stuck", "pid")
	pid := 0
	require.Eventually(t, func() bool {
		content, err := os.ReadFile(pidFile)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(string(content))
		return err == nil
	}, time.Minute, 10*time.Millisecond, "the test binary never started")
	return pid
}

// alive reports whether a process runs: it exists, and is not a
// zombie that nobody has reaped yet.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// "pid (name) S ...": the state follows the name.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

func TestStoppingARunKillsTheTestBinary(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	exerciseOf(t, module, "01-stuck", noFlags, "package code\n", stuckTest)
	r, output := realRunner(t, module)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- r.command(ctx, []string{"check", "1"}) }()
	pid := testBinaryPid(t, module)
	require.True(t, alive(pid))

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 1, code)
	case <-time.After(time.Minute):
		t.Fatal("check did not return once stopped")
	}
	assert.Equal(t, "exercises: stopped before the tests finished\n", output.String())
	assert.Eventually(t, func() bool { return !alive(pid) },
		10*time.Second, 10*time.Millisecond, "the test binary still runs")
}

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

func TestTheRunnerStopsWhenWhatStartedItEnds(t *testing.T) {
	t.Parallel()
	binary := runnerBinary(t)
	module := fakeModule(t)
	exerciseOf(t, module, "01-stuck", noFlags, "package code\n", stuckTest)

	// A shell stands for go run: killed, it cannot pass anything on.
	shell := exec.Command("sh", "-c", binary+" check 1 & wait")
	shell.Dir = module
	require.NoError(t, shell.Start())
	pid := testBinaryPid(t, module)
	require.NoError(t, shell.Process.Kill())
	require.Error(t, shell.Wait())

	// The runner sees it, within a quarter of a second, and stops its
	// tests.
	assert.Eventually(t, func() bool { return !alive(pid) },
		10*time.Second, 10*time.Millisecond, "the test binary still runs")
}
