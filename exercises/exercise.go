package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"workbook/exercises/internal/exercisetest"
)

// An exercise is one numbered directory: the learner's file, its
// tests, and a .meta directory with the stub as shipped, the
// reference solution, a hint and a one-line summary.
type exercise struct {
	number int
	name   string // "01-isprime"
	dir    string
	file   string // the learner's file, "isprime.go"
	about  string
}

// path returns a path inside the exercise's directory.
func (ex exercise) path(parts ...string) string {
	return filepath.Join(append([]string{ex.dir}, parts...)...)
}

// shown is how the learner's file is named on screen.
func (ex exercise) shown() string {
	return filepath.Join("exercises", ex.name, ex.file)
}

// exerciseName is a directory name like "01-isprime".
var exerciseName = regexp.MustCompile(`^(\d\d)-[a-z0-9-]+$`)

// findExercises finds the exercises directory: beside the go.mod of
// the module we are in.
func findExercises() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "exercises"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run me from inside the " +
				"workbook: no go.mod here or above")
		}
		dir = parent
	}
}

// discover lists the exercises under root, in order.
func discover(root string) ([]exercise, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var exercises []exercise
	for _, entry := range entries {
		match := exerciseName.FindStringSubmatch(entry.Name())
		if !entry.IsDir() || match == nil {
			continue
		}
		ex, err := load(root, entry.Name(), match[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", entry.Name(), err)
		}
		exercises = append(exercises, ex)
	}
	if len(exercises) == 0 {
		return nil, fmt.Errorf("no exercises in %s", root)
	}
	return exercises, nil
}

func load(root, name, digits string) (exercise, error) {
	ex := exercise{name: name, dir: filepath.Join(root, name)}
	ex.number, _ = strconv.Atoi(digits)
	stubs, err := os.ReadDir(ex.path(".meta", "stub"))
	if err != nil {
		return ex, err
	}
	if len(stubs) != 1 {
		return ex, errors.New(".meta/stub must hold exactly one file")
	}
	ex.file = stubs[0].Name()
	about, err := os.ReadFile(ex.path(".meta", "about.txt"))
	if err != nil {
		return ex, err
	}
	ex.about = strings.TrimSpace(string(about))
	return ex, nil
}

// untouched reports whether the learner's file is still the stub.
func (ex exercise) untouched() bool {
	mine, err := os.ReadFile(ex.path(ex.file))
	if err != nil {
		return false
	}
	stub, err := os.ReadFile(ex.path(".meta", "stub", ex.file))
	if err != nil {
		return false
	}
	return exercisetest.Same(mine, stub)
}

// A testRun is what `go test` said about one exercise.
type testRun struct {
	started bool // the learner's file differs from the stub
	passed  bool
	output  string // the test output, as go test prints it
}

// goTest runs the tests of the given exercises in strict mode (an
// untouched stub counts as not done), in one `go test` for speed,
// with extra flags such as -overlay.
func goTest(ctx context.Context, root string, exercises []exercise,
	flags ...string) (map[string]testRun, error) {
	args := append([]string{"test", "-json"}, flags...)
	for _, ex := range exercises {
		args = append(args, "./"+ex.name)
	}
	command := exec.CommandContext(ctx, "go", args...)
	command.Dir = root
	command.Env = append(os.Environ(), exercisetest.StrictEnv+"=1")
	var stderr bytes.Buffer
	command.Stderr = &stderr
	stdout, err := command.Output()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("running go test: %w", err)
	}
	return parseTestEvents(stdout, exercises, stderr.String()), nil
}

// testEvent is one line of `go test -json`.
type testEvent struct {
	Action     string
	Package    string
	ImportPath string // for build output
	Test       string
	Output     string
}

// parseTestEvents gathers each exercise's result and output.
func parseTestEvents(stream []byte, exercises []exercise,
	stderr string) map[string]testRun {
	outputs := make(map[string]*strings.Builder)
	passed := make(map[string]bool)
	nameOf := func(pkg string) string {
		// "workbook/exercises/01-isprime [...]" -> "01-isprime"
		pkg, _, _ = strings.Cut(pkg, " ")
		return pkg[strings.LastIndex(pkg, "/")+1:]
	}
	lines := bufio.NewScanner(bytes.NewReader(stream))
	lines.Buffer(make([]byte, 64*1024), 4<<20)
	for lines.Scan() {
		var event testEvent
		if json.Unmarshal(lines.Bytes(), &event) != nil {
			continue
		}
		name := nameOf(event.Package + event.ImportPath)
		if outputs[name] == nil {
			outputs[name] = &strings.Builder{}
		}
		switch {
		case event.Action == "output" || event.Action == "build-output":
			outputs[name].WriteString(event.Output)
		case event.Action == "pass" && event.Test == "":
			passed[name] = true
		}
	}

	runs := make(map[string]testRun)
	for _, ex := range exercises {
		run := testRun{passed: passed[ex.name]}
		if output := outputs[ex.name]; output != nil {
			run.output = output.String()
		}
		if !run.passed && run.output == "" {
			// A failure go test -json could not describe,
			// a broken go.mod say: its own words.
			run.output = stderr
		}
		runs[ex.name] = run
	}
	return runs
}

// failures keeps the lines of a test run worth showing a learner:
// not the "=== RUN" chatter.
func failures(output string, most int) string {
	var kept []string
	for line := range strings.Lines(output) {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "=== ") || trimmed == "" {
			continue
		}
		kept = append(kept, strings.TrimRight(line, "\n"))
	}
	if len(kept) > most {
		cut := len(kept) - most
		kept = append(kept[:most],
			fmt.Sprintf("... (%d more lines)", cut))
	}
	return strings.Join(kept, "\n")
}

// readFile returns a file's text, or an error naming it.
func readFile(path string) (string, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return string(content), nil
}

// writeOverlay writes the JSON file `go test -overlay` takes, which
// makes the go command read replacement instead of the learner's
// file, without touching it.
func writeOverlay(dir string, ex exercise, replacement string) (string, error) {
	overlay := map[string]map[string]string{
		"Replace": {ex.path(ex.file): replacement},
	}
	content, err := json.Marshal(overlay)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, ex.name+".json")
	return path, os.WriteFile(path, content, 0o644)
}

// ask prints a question and reports whether the answer is yes.
func ask(in io.Reader, out io.Writer, question string) bool {
	fmt.Fprintf(out, "%s [y/N] ", question)
	answer, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && answer == "" {
		fmt.Fprintln(out)
		return false
	}
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes"
}
