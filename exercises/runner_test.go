package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

// A fake exercise tree: a module of its own with two exercises, so
// the runner's tests do not depend on the real ones.
const (
	addStub = `package add

// Add returns a + b.
func Add(a, b int) int {
	// TODO: add them.
	return 0
}
`
	addSolution = `package add

// Add returns a + b.
func Add(a, b int) int {
	return a + b
}
`
	addTest = `package add

import "testing"

func TestAdd(t *testing.T) {
	if got := Add(2, 3); got != 5 {
		t.Errorf("Add(2, 3) = %d, want 5", got)
	}
}
`
)

// fakeTree writes the module and returns its exercises directory.
func fakeTree(t *testing.T) string {
	t.Helper()
	module := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		full := filepath.Join(module, path)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
	write("go.mod", "module fake\n\ngo 1.26\n")
	for _, name := range []string{"01-add", "02-more"} {
		dir := "exercises/" + name + "/"
		write(dir+"add.go", addStub)
		write(dir+"add_test.go", addTest)
		write(dir+".meta/stub/add.go", addStub)
		write(dir+".meta/solution/add.go", addSolution)
		write(dir+".meta/hint.md", "Use the + operator.\n")
		write(dir+".meta/about.txt", "addition (after chapter 0)\n")
	}
	write("exercises/01-add/.meta/wrong/minus/add.go",
		strings.Replace(addSolution, "return a + b", "return a - b", 1))
	return filepath.Join(module, "exercises")
}

// runIn runs one runner command on the tree at root.
func runIn(t *testing.T, root, input string, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	r := &runner{root: root, stdin: strings.NewReader(input),
		out: &stdout, errOut: &stderr, pollEvery: 50 * time.Millisecond}
	code := r.command(context.Background(), args)
	return code, stdout.String() + stderr.String()
}

// solve writes the solution over the learner's file.
func solve(t *testing.T, root, name string) {
	t.Helper()
	err := os.WriteFile(filepath.Join(root, name, "add.go"),
		[]byte(addSolution), 0o644)
	require.NoError(t, err)
}

func TestOverviewOnAFreshTree(t *testing.T) {
	root := fakeTree(t)
	code, output := runIn(t, root, "")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "Exercises: 0 of 2 done")
	assert.Contains(t, output, "▶ 1  01-add")
	assert.Contains(t, output, "Not started. Open "+
		filepath.Join("exercises", "01-add", "add.go"))
	assert.Contains(t, output, "go run ./exercises hint 1")
}

func TestOverviewShowsTheFailingTest(t *testing.T) {
	root := fakeTree(t)
	started := strings.Replace(addStub, "return 0", "return 1", 1)
	err := os.WriteFile(filepath.Join(root, "02-more", "add.go"),
		[]byte(started), 0o644)
	require.NoError(t, err)

	_, output := runIn(t, root, "")
	// The exercise in progress is the current one.
	assert.Contains(t, output, "▶ 2  02-more")
	assert.Contains(t, output, "in progress")
	assert.Contains(t, output, "Add(2, 3) = 1, want 5")
}

func TestProgressAfterSolvingOne(t *testing.T) {
	root := fakeTree(t)
	solve(t, root, "01-add")
	_, output := runIn(t, root, "")
	assert.Contains(t, output, "Exercises: 1 of 2 done")
	assert.Contains(t, output, "✓ 1  01-add")
	assert.Contains(t, output, "▶ 2  02-more")

	solve(t, root, "02-more")
	_, output = runIn(t, root, "")
	assert.Contains(t, output, "Exercises: 2 of 2 done")
	assert.Contains(t, output, "All 2 exercises pass")
}

func TestCheck(t *testing.T) {
	root := fakeTree(t)
	code, output := runIn(t, root, "", "check", "1")
	assert.Equal(t, 1, code)
	assert.Contains(t, output, "01-add is not started")
	assert.Contains(t, output, "Add(2, 3) = 0, want 5")

	solve(t, root, "01-add")
	code, output = runIn(t, root, "", "check", "1")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "✓ 01-add passes")
	assert.Contains(t, output, "Next: exercise 2, 02-more")
}

func TestHint(t *testing.T) {
	code, output := runIn(t, fakeTree(t), "", "hint", "2")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "Use the + operator.")
}

func TestSolutionOnlyOnceSolved(t *testing.T) {
	root := fakeTree(t)
	code, output := runIn(t, root, "", "solution", "1")
	assert.Equal(t, 1, code)
	assert.Contains(t, output, "opens once your version passes")
	assert.NotContains(t, output, "return a + b")

	solve(t, root, "01-add")
	code, output = runIn(t, root, "", "solution", "1")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "return a + b")
}

func TestResetAsksFirst(t *testing.T) {
	root := fakeTree(t)
	file := filepath.Join(root, "01-add", "add.go")
	mine := strings.Replace(addStub, "return 0", "return 42", 1)
	require.NoError(t, os.WriteFile(file, []byte(mine), 0o644))

	for _, answer := range []string{"n\n", "\n", ""} {
		code, output := runIn(t, root, answer, "reset", "1")
		assert.Equal(t, 0, code)
		assert.Contains(t, output, "Your version will be lost")
		assert.Contains(t, output, "Nothing changed.")
		content, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, mine, string(content), "answer %q", answer)
	}

	code, _ := runIn(t, root, "y\n", "reset", "1")
	assert.Equal(t, 0, code)
	content, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, addStub, string(content))
}

func TestList(t *testing.T) {
	code, output := runIn(t, fakeTree(t), "", "list")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "1  01-add\n   addition (after chapter 0)")
	assert.Contains(t, output, "2  02-more\n   addition (after chapter 0)")
}

func TestVerify(t *testing.T) {
	root := fakeTree(t)
	code, output := runIn(t, root, "", "verify")
	assert.Equal(t, 0, code, output)
	assert.Contains(t, output, `wrong version "minus" fails`)
	assert.Contains(t, output, "all 2 exercises")

	// A solution that does not pass is caught.
	broken := filepath.Join(root, "02-more", ".meta", "solution", "add.go")
	require.NoError(t, os.WriteFile(broken, []byte(addStub), 0o644))
	code, output = runIn(t, root, "", "verify")
	assert.Equal(t, 1, code)
	assert.Contains(t, output, "02-more: the solution fails its tests")

	// So is a stub that was shipped edited.
	solve(t, root, "01-add")
	_, output = runIn(t, root, "", "verify")
	assert.Contains(t, output, "01-add: add.go differs from .meta/stub")
	assert.Contains(t, output, "01-add: the stub passes its tests")
}

func TestWatchRerunsOnSave(t *testing.T) {
	root := fakeTree(t)
	var stdout testkit.SyncBuffer
	output := stdout.String
	r := &runner{root: root, stdin: strings.NewReader(""),
		out: &stdout, errOut: &stdout, pollEvery: 20 * time.Millisecond}
	exercises, err := discover(root)
	require.NoError(t, err)
	r.exercises = exercises

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- r.watch(ctx) }()

	require.Eventually(t, func() bool {
		return strings.Contains(output(), "0 of 2 done")
	}, 30*time.Second, 10*time.Millisecond)
	assert.Contains(t, output(), "works on WSL and network drives")

	solve(t, root, "01-add")
	require.Eventually(t, func() bool {
		return strings.Contains(output(), "1 of 2 done")
	}, 30*time.Second, 10*time.Millisecond)
	assert.Contains(t, output(), "a file changed")

	cancel()
	assert.Equal(t, 0, <-done)
}

func TestCommandLineErrors(t *testing.T) {
	root := fakeTree(t)
	for _, args := range [][]string{
		{"frobnicate"}, {"hint"}, {"hint", "9"}, {"check", "x"},
		{"hint", "1", "2"},
	} {
		code, output := runIn(t, root, "", args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.NotEmpty(t, output, "%v", args)
	}
}

func TestREADMEShowsHowAnUntouchedExerciseSkips(t *testing.T) {
	command := exec.Command("go", "test", "-count=1", "-v",
		"-run", "TestSmallCases", "./01-isprime")
	// Not strict: what a learner sees on a fresh clone.
	command.Env = append(os.Environ(), "WORKBOOK_STRICT=")
	output, err := command.CombinedOutput()
	require.NoError(t, err, "%s", output)
	// The lines of the test itself, without the package summary.
	var shown strings.Builder
	for line := range strings.Lines(string(output)) {
		if !strings.HasPrefix(line, "PASS") &&
			!strings.HasPrefix(line, "ok ") {
			shown.WriteString(line)
		}
	}
	testkit.CheckTranscript(t, "README.md", "skip", shown.String())
}

func TestTheRealExercisesAreFound(t *testing.T) {
	exercises, err := discover(".")
	require.NoError(t, err)
	require.Len(t, exercises, 8)
	for i, ex := range exercises {
		assert.Equal(t, i+1, ex.number)
		assert.NotEmpty(t, ex.about, ex.name)
		_, err := os.Stat(ex.path(".meta", "hint.md"))
		assert.NoError(t, err, ex.name)
		_, err = os.Stat(ex.path(".meta", "solution", ex.file))
		assert.NoError(t, err, ex.name)
	}
}
