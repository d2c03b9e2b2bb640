//go:build windows

package runner

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAWindowsFrameIsFoundInTheWorkbook(t *testing.T) {
	// Go writes the places of a trace with slashes; the module's
	// directory, from the system, has backslashes, and its drive
	// letter may come in either case.
	module := `C:\Users\me\workbook`
	place, ok := inWorkbook(module,
		"c:/Users/me/workbook/exercises/05-key-value/store.go:12 +0x1d")
	assert.True(t, ok)
	assert.Equal(t, "exercises/05-key-value/store.go:12", place)
	_, ok = inWorkbook(module, "C:/Program Files/Go/src/testing/testing.go:1792 +0xf3")
	assert.False(t, ok)
}

func TestTaskkillEndsAWholeTree(t *testing.T) {
	help, err := exec.Command("taskkill", "/?").CombinedOutput()
	if err != nil || !strings.Contains(string(help), "/T") {
		t.Skip("this taskkill cannot end a tree (/T)")
	}
	// A copy of this test binary stands for go test, and starts
	// another that stands for the test binary.
	self, err := os.Executable()
	require.NoError(t, err)
	pidFile := t.TempDir() + `\pid`
	parent := exec.Command(self, "-test.run=^$")
	parent.Env = append(os.Environ(), treeEnv+"="+pidFile)
	require.NoError(t, parent.Start())
	var child int
	require.Eventually(t, func() bool {
		content, err := os.ReadFile(pidFile)
		if err != nil {
			return false
		}
		child, err = strconv.Atoi(string(content))
		return err == nil
	}, time.Minute, 10*time.Millisecond)
	require.True(t, alive(child))

	require.NoError(t, killWithTaskkill(parent.Process.Pid))
	_ = parent.Wait()
	assert.Eventually(t, func() bool { return !alive(child) },
		10*time.Second, 10*time.Millisecond, "the child still runs")
}
