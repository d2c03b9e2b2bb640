//go:build unix

package runner

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

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
