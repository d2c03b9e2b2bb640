package runner

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	for start := time.Now(); time.Since(start) < time.Minute; {
		content, err := os.ReadFile(pidFile)
		if err == nil {
			pid, err = strconv.Atoi(string(content))
			if err == nil {
				return pid
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A runner started by a stand-in for go run logs here.
	log, _ := os.ReadFile(filepath.Join(module, "runner.log"))
	t.Fatalf("the test binary never started; the runner said: %s", log)
	return 0
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

func TestTheRunnerStopsWhenWhatStartedItEnds(t *testing.T) {
	t.Parallel()
	binary := runnerBinary(t)
	module := fakeModule(t)
	exerciseOf(t, module, "01-stuck", noFlags, "package code\n", stuckTest)

	// A copy of this test binary stands for go run: it starts the
	// runner and waits, and killed, it passes nothing on.
	self, err := os.Executable()
	require.NoError(t, err)
	parent := exec.Command(self, "-test.run=^$")
	parent.Env = append(os.Environ(), parentEnv+"="+binary)
	parent.Dir = module
	require.NoError(t, parent.Start())
	pid := testBinaryPid(t, module)
	require.NoError(t, parent.Process.Kill())
	require.Error(t, parent.Wait())

	// The runner sees it, within a quarter of a second, and stops its
	// tests.
	assert.Eventually(t, func() bool { return !alive(pid) },
		10*time.Second, 10*time.Millisecond, "the test binary still runs")
}

// stuckWithAChild starts a child process, a copy of the test binary
// that sleeps, with its output on the test's own, writes the child's
// process id, then waits for ever.
const stuckWithAChild = `package code

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

func TestChild(t *testing.T) {
	if os.Getenv("BE_THE_CHILD") != "1" {
		t.Skip("only in the child")
	}
	time.Sleep(time.Hour)
}

func TestStuck(t *testing.T) {
	child := exec.Command(os.Args[0], "-test.run=^TestChild$")
	child.Env = append(os.Environ(), "BE_THE_CHILD=1")
	child.Stdout, child.Stderr = os.Stdout, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile("pid.tmp", []byte(strconv.Itoa(child.Process.Pid)), 0o644)
	os.Rename("pid.tmp", "pid")
	time.Sleep(time.Hour)
}
`

func TestNothingTheTestsStartedOutlivesTheTimeLimit(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	exerciseOf(t, module, "01-stuck", noFlags, "package code\n", stuckWithAChild)
	r, _ := realRunner(t, module)
	// Long enough for the child to start on a busy machine.
	r.limit = 5 * time.Second

	results, err := r.goTest(context.Background(), []job{{ex: r.exercises[0]}})
	require.NoError(t, err)
	assert.Contains(t, results["01-stuck"].report,
		"--- FAIL: TestStuck did not finish within the time limit of 5s")
	pid := testBinaryPid(t, module)
	assert.Eventually(t, func() bool { return !alive(pid) },
		10*time.Second, 10*time.Millisecond,
		"the process the tests started still runs")
}
