package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/internal/python"
	"workbook/internal/testkit"
)

// The source text's Python, as printed, run for real: the README
// quotes what it does. Only the port changes, to a free one.

// originalDir is where the README says the Python files are, seen
// from the workbook's root.
const originalDir = "01-raw-socket/testdata/original"

// pythonOriginal copies the source text's Python files into a
// temporary directory, on a free port, and returns the directory
// and the port. It skips the test where there is no working python3.
func pythonOriginal(t *testing.T) (dir, port string) {
	t.Helper()
	skipUnlessLinux(t)
	testkit.NeedPython(t)
	_, port, err := net.SplitHostPort(testkit.FreeAddr(t))
	require.NoError(t, err)
	dir = t.TempDir()
	for _, name := range []string{"server.py", "client.py", "client2.py"} {
		source, err := os.ReadFile(filepath.Join("testdata", "original", name))
		require.NoError(t, err)
		onFreePort := strings.ReplaceAll(string(source), "8809", port)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(onFreePort), 0o644))
	}
	return dir, port
}

// runPython runs one of the copies with the python3 pythonOriginal
// found. -u writes each line at once, as Python does on a terminal,
// so stdout and stderr keep their order.
func runPython(dir, name string) *exec.Cmd {
	path, _ := python.Find()
	return exec.Command(path, "-u", filepath.Join(dir, name))
}

// startPythonServer starts server.py and waits until it listens.
func startPythonServer(t *testing.T, dir, port string) (*exec.Cmd, *testkit.SyncBuffer) {
	t.Helper()
	server := runPython(dir, "server.py")
	output := &testkit.SyncBuffer{}
	server.Stdout, server.Stderr = output, output
	require.NoError(t, server.Start())
	t.Cleanup(func() {
		_ = server.Process.Kill()
		_ = server.Wait()
	})
	// Dialing to check would be the one client this server takes:
	// ask the system instead. A server that could not start says
	// why in a traceback.
	for deadline := time.Now().Add(10 * time.Second); !listening(t, port); {
		if strings.Contains(output.String(), "Traceback") || time.Now().After(deadline) {
			t.Fatalf("server.py did not start: %s", output.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return server, output
}

// listening tells whether a socket listens on 127.0.0.1:port,
// according to Linux's /proc/net/tcp.
func listening(t *testing.T, port string) bool {
	table, err := os.ReadFile("/proc/net/tcp")
	require.NoError(t, err)
	var number int
	_, err = fmt.Sscan(port, &number)
	require.NoError(t, err)
	local := fmt.Sprintf("0100007F:%04X", number)
	for _, line := range strings.Split(string(table), "\n") {
		fields := strings.Fields(line)
		if len(fields) > 3 && fields[1] == local && fields[3] == "0A" {
			return true
		}
	}
	return false
}

var (
	pythonPort = regexp.MustCompile(`\('127\.0\.0\.1', \d+\)`)
	// A traceback's middle lines (file, code, ^^^ markers) change
	// from one Python version to the next.
	tracebackLines = regexp.MustCompile(`(?m)(^  .*\n)+`)
)

// maskPython hides what varies in Python's output: the temporary
// directory, the client's port, and a traceback's middle lines.
func maskPython(output, dir string) string {
	output = strings.ReplaceAll(output, dir, originalDir)
	output = pythonPort.ReplaceAllString(output, "('127.0.0.1', PORT)")
	return tracebackLines.ReplaceAllString(output, "  ...\n")
}

func TestTheOriginalClientAndServer(t *testing.T) {
	// It waits for Python: beside the other tests.
	t.Parallel()
	dir, port := pythonOriginal(t)
	server, serverOutput := startPythonServer(t, dir, port)

	client, err := runPython(dir, "client.py").CombinedOutput()
	require.Error(t, err, "client.py ended well: %s", client)
	require.NoError(t, server.Wait(), "server.py: %s", serverOutput.String())

	// The loop's first connection usually reaches the server's queue
	// before the server exits, and is reset; on a busy machine the
	// server may be gone first, and it is refused.
	name := "original-client"
	if strings.Contains(string(client), "ConnectionRefusedError") {
		name = "original-client-refused"
	}
	testkit.CheckTranscript(t, "README.md", name, maskPython(string(client), dir))
	testkit.CheckTranscript(t, "README.md", "original-server", maskPython(serverOutput.String(), dir))
}

func TestTheOriginalServerClosesInItsLoop(t *testing.T) {
	// It waits for Python: beside the other tests.
	t.Parallel()
	dir, port := pythonOriginal(t)
	server, serverOutput := startPythonServer(t, dir, port)

	// A client that keeps its connection, as nc does: two numbers.
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	require.NoError(t, err)
	defer conn.Close()
	reply := make([]byte, 16)
	for _, request := range []string{"4j\n", "5\n"} {
		_, err = conn.Write([]byte(request))
		require.NoError(t, err)
		_, _ = conn.Read(reply) // the second gets no reply
	}
	require.Error(t, server.Wait(), "server.py did not crash: %s", serverOutput.String())
	testkit.CheckTranscript(t, "README.md", "original-close-in-loop", maskPython(serverOutput.String(), dir))
}

func TestTheOriginalSecondClient(t *testing.T) {
	// It waits for Python: beside the other tests.
	t.Parallel()
	dir, _ := pythonOriginal(t)

	// As printed, its first line is not Python.
	output, err := runPython(dir, "client2.py").CombinedOutput()
	require.Error(t, err)
	testkit.CheckTranscript(t, "README.md", "original-client2", maskPython(string(output), dir))

	// With that line fixed, it stops at its first use of time.
	source, err := os.ReadFile(filepath.Join(dir, "client2.py"))
	require.NoError(t, err)
	fixed := strings.Replace(string(source), "!/usr/bin/python3", "#!/usr/bin/python3", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "client2.py"), []byte(fixed), 0o644))
	output, err = runPython(dir, "client2.py").CombinedOutput()
	require.Error(t, err)
	testkit.CheckTranscript(t, "README.md", "original-client2-fixed", maskPython(string(output), dir))
}
