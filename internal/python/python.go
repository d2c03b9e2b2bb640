// Package python finds a python3 that works, for the tests and the
// benchmark that run the source text's Python beside the workbook's
// Go. A python3 on the PATH is not always a Python: on Windows it is
// often the Microsoft Store's stand-in, which prints "Python was not
// found; run without arguments to install from the Microsoft
// Store..." and exits with status 9009.
package python

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Find returns the path of a python3 that runs Python 3, or an error
// of one line that says why there is none. It asks once per process.
func Find() (string, error) {
	return findOnce()
}

var findOnce = sync.OnceValues(func() (string, error) {
	return find(context.Background())
})

// find looks for python3 on the PATH and runs it once, for at most
// 20 seconds (a cold start on a slow disk).
func find(ctx context.Context) (string, error) {
	path, err := exec.LookPath("python3")
	if err != nil {
		return "", errors.New("python3 is not installed (not on the PATH)")
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	command := exec.CommandContext(ctx, path, "-c",
		"import sys; print(sys.version_info[0])")
	output, err := command.CombinedOutput()
	said := firstLine(string(output))
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s is not a working Python: it did not answer within 20 seconds", path)
	case err != nil:
		return "", fmt.Errorf("%s is not a working Python: it printed %q and ended with %v", path, said, err)
	case strings.TrimSpace(string(output)) != "3":
		return "", fmt.Errorf("%s is not Python 3: asked for its version, it printed %q", path, said)
	}
	return path, nil
}

// firstLine is the first line of text, cut at 100 bytes.
func firstLine(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.TrimSpace(line)
	if len(line) > 100 {
		line = line[:100] + "..."
	}
	return line
}
