package runner

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// sleepEnv, set to 1, makes this test binary sleep for an hour.
const sleepEnv = "WORKBOOK_TEST_SLEEP"

// parentEnv, set to the runner's path, makes this test binary stand
// for go run: it runs the runner with "check 1", and waits.
const parentEnv = "WORKBOOK_TEST_PARENT"

// treeEnv, set to a file's path, makes this test binary start a copy
// of itself that sleeps, write the copy's process id in the file,
// and wait: a tree of two processes.
const treeEnv = "WORKBOOK_TEST_TREE"

func TestMain(m *testing.M) {
	if runner := os.Getenv(parentEnv); runner != "" {
		// What the runner says goes to runner.log, for the test.
		command := exec.Command(runner, "check", "1")
		log, err := os.Create("runner.log")
		if err == nil {
			command.Stdout, command.Stderr = log, log
		}
		if err := command.Run(); err != nil && log != nil {
			fmt.Fprintf(log, "\n%v\n", err)
		}
		os.Exit(0)
	}
	if pidFile := os.Getenv(treeEnv); pidFile != "" {
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), treeEnv+"=", sleepEnv+"=1")
		if child.Start() == nil {
			_ = os.WriteFile(pidFile+".tmp", []byte(strconv.Itoa(child.Process.Pid)), 0o644)
			_ = os.Rename(pidFile+".tmp", pidFile)
			_ = child.Wait()
		}
		os.Exit(0)
	}
	if os.Getenv(sleepEnv) == "1" {
		time.Sleep(time.Hour)
		os.Exit(0)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) {
		if binaryDir != "" {
			os.RemoveAll(binaryDir)
		}
	}))
}

// binaryDir holds the runner program, once a test has built it.
var binaryDir string

// buildRunner builds the runner as a learner runs it, once for all
// the tests that need the program itself.
var buildRunner = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "runner")
	if err != nil {
		return "", err
	}
	binaryDir = dir
	// Windows runs only programs whose names end in .exe.
	name := "exercises"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	binary := filepath.Join(dir, name)
	build := exec.Command("go", "build", "-o", binary, "workbook/exercises")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v: %s", err, out)
	}
	return binary, nil
})

// runnerBinary returns the runner program's path.
func runnerBinary(t *testing.T) string {
	t.Helper()
	binary, err := buildRunner()
	require.NoError(t, err)
	return binary
}
