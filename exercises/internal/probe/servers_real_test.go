package probe

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

// The workbook's own servers and the source text's Python one, run as
// programs, the way a teacher would run a student's server.

// build compiles one of the workbook's programs into the test's
// temporary directory and returns its path.
func build(t *testing.T, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a program: not in -short mode")
	}
	binary := filepath.Join(t.TempDir(), filepath.Base(pkg))
	if runtime.GOOS == "windows" {
		// Windows runs only programs whose name says so.
		binary += ".exe"
	}
	output, err := exec.Command("go", "build", "-o", binary,
		pkg).CombinedOutput()
	require.NoError(t, err, "go build %s: %s", pkg, output)
	return binary
}

// ctrlC is how the tests stop a chapter's server: with Ctrl-C's
// signal, so that it stops gracefully, where a program can send that
// signal to another. Windows cannot (os.Interrupt is not implemented
// there): the server is killed instead.
func ctrlC() os.Signal {
	if runtime.GOOS == "windows" {
		return os.Kill
	}
	return os.Interrupt
}

// program is a testkit.Command that runs a program: it starts it with
// command(args), in a directory of its own, and sends it stop when the
// context ends.
func program(t *testing.T, stop os.Signal,
	command func(args []string) []string) testkit.Command {
	dir := t.TempDir()
	return func(ctx context.Context, args []string,
		stdout, stderr io.Writer) int {
		argv := command(args)
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.Cancel = func() error {
			return cmd.Process.Signal(stop)
		}
		cmd.WaitDelay = 10 * time.Second
		err := cmd.Run()
		if cmd.ProcessState == nil {
			// It did not start.
			fmt.Fprintln(stderr, err)
			return 1
		}
		return cmd.ProcessState.ExitCode()
	}
}

// startChapter starts a chapter's server command with its defaults,
// on a free port, until the test ends.
func startChapter(t *testing.T, pkg string) string {
	binary := build(t, pkg)
	// Interrupted as Ctrl-C would: the server stops gracefully.
	run := program(t, ctrlC(), func(args []string) []string {
		// args is "server -addr ADDR"; the log goes to the
		// program's directory.
		return append([]string{binary}, args...)
	})
	addr, stop := testkit.StartServer(t, run)
	t.Cleanup(func() {
		stopped := stop()
		// Killed, on Windows, it has no exit code of its own.
		if runtime.GOOS != "windows" {
			assert.Equal(t, 0, stopped.Code, stopped.Stderr)
		}
	})
	return addr
}

func TestChapter03ServerPasses(t *testing.T) {
	// Slow (it waits out time limits, or builds a server): run
	// beside the other tests.
	t.Parallel()
	addr := startChapter(t, "workbook/03-server-framework")
	got := probe(t, addr)
	assert.Equal(t, 0, got.code, got.stdout)
	assert.Contains(t, got.stdout, `: one-shot`)
	assert.NotContains(t, got.stdout, "✗")
	assert.Contains(t, got.stdout, "passed: a conforming one-shot server")
}

func TestChapter04ServerPasses(t *testing.T) {
	// Slow (it waits out time limits, or builds a server): run
	// beside the other tests.
	t.Parallel()
	addr := startChapter(t, "workbook/04-persistent-conn")
	got := probe(t, addr)
	assert.Equal(t, 0, got.code, got.stdout)
	assert.Contains(t, got.stdout, `: persistent`)
	assert.NotContains(t, got.stdout, "✗")
	assert.Contains(t, got.stdout,
		"passed: a conforming persistent server")
}

// workingPython returns the path of a python3 that runs, or skips the
// test with a line that says why: on Windows, python3 is often the
// Microsoft Store's stand-in, which only says how to install Python.
func workingPython(t *testing.T) string {
	t.Helper()
	return testkit.NeedPython(t)
}

// The source text's socketserver version, its isprime fixed, under
// Python 3: the probe shows where Python's int() and trial division
// depart from the protocol, and that it serves one client at a time.
func TestSourceTextsPythonServer(t *testing.T) {
	// Slow (it waits out time limits, or builds a server): run
	// beside the other tests.
	t.Parallel()
	python := workingPython(t)
	script, err := filepath.Abs("testdata/source_server.py")
	require.NoError(t, err)
	// Killed: Python does not handle Ctrl-C when it was started
	// with it ignored (by a shell's background job, say), and a
	// server stuck in trial division has nothing to finish.
	run := program(t, os.Kill, func(args []string) []string {
		// args is "server -addr HOST:PORT".
		host, port, err := net.SplitHostPort(args[2])
		if err != nil {
			panic(err)
		}
		return []string{python, script, host, port}
	})
	addr, stop := testkit.StartServer(t, run)
	t.Cleanup(func() { stop() })

	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assert.Contains(t, got.stdout, `→ "T\n" then the end: one-shot`)

	// int() takes what the protocol refuses...
	assertFails(t, got.stdout, "underscore",
		`"1_000\n": want "E\n", got "F\n"`)
	assertFails(t, got.stdout, "vertical tab", `got "T\n"`)
	assertFails(t, got.stdout, "101 digits", `got "F\n"`)
	// ...strip() takes any '\r'...
	assertFails(t, got.stdout, "17\\r at the end, no \\n", `got "T\n"`)
	assertFails(t, got.stdout, "\\r\\r\\n", `got "T\n"`)
	// ...readline() waits for a "\n" however long the line...
	assertFails(t, got.stdout, "line over 1 KiB, no \\n",
		"no reply within 2s")
	// ...socketserver.TCPServer serves one client at a time...
	assertFails(t, got.stdout, "while another client is idle",
		"no reply within 2s while another client's connection "+
			"stayed open")
	// ...and trial division does not end in our lifetime: one
	// client at a time, nobody is answered after it starts.
	assertFails(t, got.stdout, "100 digits, prime", "within 2s")
	assertFails(t, got.stdout, "2^127-1, prime", "within 2s")
	// (Its queue of 5 waiting connections is full by then: the
	// small number may not even connect.)
	assert.Regexp(t, `^✗ .*: want "T\\n", (no reply within 2s|`+
		`could not connect within 5s)$`, line(t, got.stdout,
		"still answers after the big numbers"))

	// The rest it gets right, the fixed isprime included: exactly
	// these cases fail, and the heavy ones.
	fails := map[string]bool{
		"underscore": true, "vertical tab": true,
		"101 digits": true, "17\\r at the end, no \\n": true,
		"\\r\\r\\n": true, "line over 1 KiB, no \\n": true,
		"while another client is idle":        true,
		"while another client is mid-line":    true,
		"still answers after the big numbers": true,
	}
	for _, c := range Cases(OneShot) {
		if c.phase == heavy {
			fails[c.Name] = true
		}
	}
	for _, c := range Cases(OneShot) {
		l := line(t, got.stdout, c.Name)
		assert.Equal(t, fails[c.Name], strings.HasPrefix(l, "✗"), l)
	}
	assert.Len(t, Cases(OneShot), 84)

	// Each fault once, in the student's terms.
	assert.Equal(t, "  it takes for numbers what the protocol "+
		"refuses: 5 cases (vertical tab; \\r\\r\\n; 17\\r at the end, "+
		"no \\n; underscore; and 1 more)", causeLine(t, got.stdout,
		"it takes for numbers what the protocol refuses"))
	assert.Equal(t, "  it serves one client at a time: 2 cases "+
		"(while another client is idle; while another client is "+
		"mid-line)", causeLine(t, got.stdout,
		"it serves one client at a time"))
	assert.Equal(t, `  it waits without limit for a "\n": 1 case `+
		"(line over 1 KiB, no \\n)", causeLine(t, got.stdout,
		`it waits without limit for a "\n"`))
	assert.Contains(t, causeLine(t, got.stdout, "it stopped answering"),
		": 10 cases (100 digits, prime; ")
	// The summary names what is wrong with its structure first.
	assert.Contains(t, got.stdout, "\n67/85 passed: a one-shot "+
		"server, not conforming: it serves one client at a time "+
		"(first: while another client is idle)\n")
}
