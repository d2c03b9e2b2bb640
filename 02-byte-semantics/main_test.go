package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/internal/testkit"
)

func TestMain(m *testing.M) {
	// The parallel tests wait more than they compute.
	testkit.WaitersInParallel(8)
	goleak.VerifyTestMain(m)
}

// runDemo runs one demonstration by name and returns its output.
func runDemo(t *testing.T, name string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run([]string{name}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	require.Empty(t, stderr.String())
	return stdout.String()
}

// skipWhereWordedDifferently skips comparing the demonstration that
// prints a network error's own words, which the README shows as
// Linux words them. The others name what happened in words of their
// own, the same on every system.
func skipWhereWordedDifferently(t *testing.T, name string) {
	t.Helper()
	// Which error a write to a closed peer gets, and its words,
	// are Linux's in the README.
	if runtime.GOOS != "linux" && name == "write-after-close" {
		t.Skip("the README shows Linux's error")
	}
}

func TestEveryDemoMatchesItsREADMESection(t *testing.T) {
	// Not in parallel: its pauses of a few milliseconds must keep
	// pieces of data apart, which other tests beside it could
	// delay.
	for _, d := range demos {
		t.Run(d.name, func(t *testing.T) {
			skipWhereWordedDifferently(t, d.name)
			output := runDemo(t, d.name)
			testkit.CheckTranscript(t, "README.md", d.name, output)
		})
	}
}

func TestChapter01ShowsTheSourceTextsBugs(t *testing.T) {
	// Not in parallel: its pauses of a few milliseconds must keep
	// pieces of data apart, which other tests beside it could
	// delay.
	// Chapter 01's README shows four of these demonstrations.
	names := []string{"close-in-loop", "missing-newline",
		"python-isprime", "accept-once"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			skipWhereWordedDifferently(t, name)
			testkit.CheckTranscript(t,
				"../01-raw-socket/README.md", name, runDemo(t, name))
		})
	}
}

func TestRunningAllIsEachUnderItsHeading(t *testing.T) {
	// Not in parallel: its pauses of a few milliseconds must keep
	// pieces of data apart, which other tests beside it could
	// delay.
	var want strings.Builder
	for i, d := range demos {
		if i > 0 {
			want.WriteString("\n")
		}
		want.WriteString("== " + d.name + ": " + d.summary + "\n")
		want.WriteString(runDemo(t, d.name))
	}
	var stdout, stderr bytes.Buffer
	code := run(nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Equal(t, want.String(), stdout.String())
}

func TestListNamesEveryDemoOnItsOwnLine(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"list"}, &stdout, &stderr)
	require.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"),
		"\n")
	require.Len(t, lines, len(demos))
	for i, d := range demos {
		assert.True(t, strings.HasPrefix(lines[i], d.name+" "),
			"line %d is %q, want it to start with %q",
			i, lines[i], d.name)
		assert.Contains(t, lines[i], d.summary)
	}
	testkit.CheckTranscript(t, "README.md", "list", stdout.String())
}

func TestAnUnknownNameIsAnError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"framming"}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(),
		`no demonstration called "framming"`)
	assert.Contains(t, stderr.String(), "framing ")
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"--help"}, {"help"}, {"framing", "-h"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		assert.Equal(t, 0, code, "%q", args)
		assert.Empty(t, stderr.String(), "%q", args)
		assert.Contains(t, stdout.String(), "usage:", "%q", args)
		assert.Contains(t, stdout.String(), "framing ", "%q", args)
	}
}

func TestTwoNamesAreAnError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"framing", "cp1252"}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(), "one name at a time")
}

func TestTheSourceTextsIsPrime(t *testing.T) {
	cases := map[int]string{
		1: "False", 2: "True", 3: "None", 4: "False", 5: "None",
		7: "None", 9: "False", 25: "True", 27: "False",
	}
	for n, want := range cases {
		got := sourceIsPrime(n)
		assert.Equal(t, want, got, "sourceIsPrime(%d) = %s, want %s",
			n, got, want)
	}
}

func TestEncodeCP1252(t *testing.T) {
	got, err := encodeCP1252("Conexión")
	require.NoError(t, err)
	assert.Equal(t, []byte("Conexi\xf3n"), got)
	assert.Equal(t, "Conexión", decodeCP1252(got))

	_, err = encodeCP1252("€") // 0x80 in Windows-1252: not in our table
	assert.Error(t, err)
}

func TestGoVetRejectsStringOfAnInt(t *testing.T) {
	// It waits for another program: beside the other tests.
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go vet")
	}
	// The README's command, run from the workbook's root.
	command := exec.Command("go", "vet", "./02-byte-semantics/testdata/stringint")
	command.Dir = ".."
	output, err := command.CombinedOutput()
	require.Error(t, err, "go vet accepted string(n): %s", output)
	// 02-byte-semantics\testdata\stringint on Windows.
	testkit.CheckTranscript(t, "README.md", "vet", filepath.ToSlash(string(output)))
}

func TestPythonSendMaySendPart(t *testing.T) {
	// It waits for another program: beside the other tests.
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("the README shows a run on Linux")
	}
	python := testkit.NeedPython(t)
	// The README's command, run from the workbook's root.
	command := exec.Command(python, "02-byte-semantics/testdata/send.py")
	command.Dir = ".."
	output, err := command.CombinedOutput()
	require.NoError(t, err, "%s", output)
	testkit.CheckTranscript(t, "README.md", "python-send", string(output))
}

func TestWriteAfterCloseFailsOnALaterWrite(t *testing.T) {
	output := runDemo(t, "write-after-close")
	lines := strings.Split(strings.TrimSuffix(output, "\n"), "\n")
	require.GreaterOrEqual(t, len(lines), 3, output)
	assert.Equal(t, "client | write 1: no error", lines[1])
	last := lines[len(lines)-1]
	if runtime.GOOS == "windows" {
		// Winsock's codes: a reset, or a connection aborted.
		assert.True(t, strings.HasSuffix(last, " (WSAECONNRESET)") || strings.HasSuffix(last, " (WSAECONNABORTED)"), "last line: %q", last)
		return
	}
	assert.True(t, strings.Contains(last, "EPIPE") || strings.Contains(last, "ECONNRESET"), "last line: %q", last)
}

func TestTapIsACommandOfTheChapter(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"tap", "-h"}, &stdout, &stderr)
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout.String(), "go run ./02-byte-semantics tap")
}
