package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"workbook/exercises/internal/exercisetest"
)

// A job is one exercise to test. When replacement is not "", that
// file stands in for the learner's (verify tests stubs, solutions
// and wrong versions this way, without touching the tree).
type job struct {
	ex          exercise
	replacement string
}

// A result is what the tests of one exercise said.
type result struct {
	passed bool
	report string // what a learner should read when it fails
}

// errStopped says a run was stopped (Ctrl-C, or watch saw a save)
// before its tests finished.
var errStopped = errors.New("stopped before the tests finished")

// goTest runs the jobs' tests with `go test`, in strict mode (an
// untouched stub counts as not done), and returns each exercise's
// result by name. Exercises that ask for the same flags share one
// go test, which builds and runs them in parallel.
func (r *runner) goTest(ctx context.Context, jobs []job) (map[string]result, error) {
	results := make(map[string]result)
	for _, group := range byFlags(jobs) {
		found, err := r.goTestGroup(ctx, group)
		if err != nil {
			return nil, err
		}
		for name, res := range found {
			results[name] = res
		}
	}
	return results, nil
}

// byFlags sorts jobs into groups that ask for the same flags, in the
// order the exercises come.
func byFlags(jobs []job) [][]job {
	var groups [][]job
	index := make(map[string]int)
	for _, j := range jobs {
		key := strings.Join(j.ex.flags, " ")
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], j)
	}
	return groups
}

// goTestGroup runs one go test for jobs that share their flags.
func (r *runner) goTestGroup(ctx context.Context, jobs []job) (map[string]result, error) {
	// Replacements go through -overlay: the go command reads them
	// instead of the learner's files, which stay untouched.
	replace := make(map[string]string)
	for _, j := range jobs {
		if j.replacement != "" {
			replace[j.ex.path(j.ex.file)] = j.replacement
		}
	}
	overlay := ""
	if len(replace) > 0 {
		var err error
		overlay, err = writeOverlay(replace)
		if err != nil {
			return nil, err
		}
		defer os.Remove(overlay)
	}
	args := r.goTestArgs(jobs, overlay)
	var exercises []exercise
	for _, j := range jobs {
		exercises = append(exercises, j.ex)
	}

	// go test runs in a process group of its own, so that stopping
	// the runner stops the test binaries too, not only the go command.
	command := exec.CommandContext(ctx, "go", args...)
	command.Dir = r.module
	command.Env = append(os.Environ(), exercisetest.StrictEnv+"=1")
	stopWithChildren(command)
	command.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	command.Stdout = &stdout
	command.Stderr = &stderr
	err := command.Run()
	if ctx.Err() != nil {
		return nil, errStopped
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("running go test: %w", err)
	}
	return r.parse(stdout.Bytes(), exercises, stderr.String()), nil
}

// goTestArgs is the go test command line for jobs that share their
// flags.
func (r *runner) goTestArgs(jobs []job, overlay string) []string {
	// Never a result from the test cache: a pass under the race
	// detector can be luck, and only a fresh run can say so. The
	// time limit counts the tests' run, not the build.
	args := []string{"test", "-json", "-count=1",
		"-timeout=" + r.limit.String()}
	args = append(args, jobs[0].ex.flags...)
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	// Packages are named from the module's root, so that compiler
	// errors name files as exercises/01-isprime/isprime.go:12:3.
	for _, j := range jobs {
		args = append(args, "./exercises/"+j.ex.name)
	}
	return args
}

// writeOverlay writes the JSON file `go test -overlay` takes, which
// maps each file to the one to read in its place.
func writeOverlay(replace map[string]string) (string, error) {
	content, err := json.Marshal(map[string]map[string]string{
		"Replace": replace,
	})
	if err != nil {
		return "", err
	}
	file, err := os.CreateTemp("", "exercises-overlay-*.json")
	if err != nil {
		return "", err
	}
	_, err = file.Write(content)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	return file.Name(), err
}

// testEvent is one line of `go test -json`.
type testEvent struct {
	Action     string
	Package    string
	ImportPath string // for build output
	Test       string
	Output     string
}

// A packageRun gathers the events of one exercise's package.
type packageRun struct {
	passed   bool
	build    []string            // compiler and vet output
	tests    []string            // test names, in the order they ran
	output   map[string][]string // each test's output lines
	ended    map[string]string   // each test's end: pass, fail, skip
	loose    []string            // output outside any test
	timedOut bool                // go test's -timeout fired
}

// parse turns the events of one go test into each exercise's result.
func (r *runner) parse(stream []byte, exercises []exercise,
	stderr string) map[string]result {
	runs := make(map[string]*packageRun)
	runOf := func(event testEvent) *packageRun {
		// "workbook/exercises/01-isprime [...]" -> "01-isprime"
		pkg, _, _ := strings.Cut(event.Package+event.ImportPath, " ")
		name := pkg[strings.LastIndex(pkg, "/")+1:]
		if runs[name] == nil {
			runs[name] = &packageRun{output: make(map[string][]string),
				ended: make(map[string]string)}
		}
		return runs[name]
	}

	partial := make(map[string]string)
	lines := bufio.NewScanner(bytes.NewReader(stream))
	lines.Buffer(make([]byte, 64*1024), 16<<20)
	for lines.Scan() {
		var event testEvent
		if json.Unmarshal(lines.Bytes(), &event) != nil {
			continue
		}
		run := runOf(event)
		// go test -json cuts long lines into several events: only
		// an output ending in a newline ends a line.
		key := event.Action + "\x00" + event.Test
		if event.Output != "" && !strings.HasSuffix(event.Output, "\n") {
			partial[key] += event.Output
			continue
		}
		line := strings.TrimRight(partial[key]+event.Output, "\n")
		delete(partial, key)
		switch {
		case event.Action == "build-output":
			run.build = append(run.build, line)
		case event.Action == "run":
			run.tests = append(run.tests, event.Test)
		case event.Action == "output" && event.Test != "":
			if strings.HasPrefix(line, "panic: test timed out after") {
				run.timedOut = true
			}
			run.output[event.Test] = append(run.output[event.Test], line)
		case event.Action == "output":
			run.loose = append(run.loose, line)
		case event.Test != "" && isEnd(event.Action):
			run.ended[event.Test] = event.Action
		case event.Action == "pass":
			run.passed = true
		}
	}

	results := make(map[string]result)
	for _, ex := range exercises {
		run := runs[ex.name]
		switch {
		case run != nil && run.passed:
			results[ex.name] = result{passed: true}
		case run == nil:
			// A failure go test -json could not describe, a
			// broken go.mod say: its own words.
			results[ex.name] = result{report: strings.TrimSpace(stderr)}
		default:
			report := r.report(run)
			if report == "" {
				report = strings.TrimSpace(stderr)
			}
			results[ex.name] = result{report: report}
		}
	}
	return results
}

// isEnd reports whether a test event's action ends the test.
func isEnd(action string) bool {
	return action == "pass" || action == "fail" || action == "skip"
}

// Limits on what a failure shows, so that one wrong value of 7,000
// characters or a goroutine dump does not bury the message.
const (
	longestLine     = 200 // characters
	mostLinesInTest = 12
)

// report is what a learner reads about a failed package: each failed
// test's messages under its own --- FAIL header, and nothing about
// the tests that passed.
func (r *runner) report(run *packageRun) string {
	var out []string

	// A build that failed: the compiler's or vet's words, with paths
	// from the workbook's root.
	if len(run.build) > 0 {
		out = append(out, "--- FAIL: the code does not compile")
		for _, line := range run.build {
			if strings.HasPrefix(line, "# [") {
				out = append(out, "--- FAIL: go vet")
				continue
			}
			if strings.HasPrefix(line, "# ") || line == "" {
				continue
			}
			out = append(out, "    "+shorten(line))
		}
		// Vet runs only on code that compiles.
		if len(out) > 1 && out[1] == "--- FAIL: go vet" {
			out = out[1:]
		}
		if len(out) == 1 {
			out = nil
		}
	}

	// The time limit: which test was stuck, and the usual reasons.
	if run.timedOut {
		var stuck []string
		for _, test := range run.tests {
			if _, ended := run.ended[test]; !ended &&
				!hasChildRunning(run, test) {
				stuck = append(stuck, test)
			}
		}
		out = append(out, fmt.Sprintf("--- FAIL: %s did not finish within the time limit of %v",
			strings.Join(stuck, ", "), r.limit))
		out = append(out, "    Is something waiting forever, or working far too hard? A loop to n instead of √n? Shutdown ignoring its context? An Unlock missing? A read with no deadline?")
	}

	// Each failed test, under its own header. A test whose failure
	// is only that a subtest failed shows nothing of its own.
	for _, test := range run.tests {
		ended := run.ended[test]
		if ended != "fail" && (ended != "" || run.timedOut) {
			continue
		}
		lines := r.messages(run.output[test])
		if len(lines) == 0 && hasChildFailed(run, test) {
			continue
		}
		out = append(out, "--- FAIL: "+test)
		if len(lines) > mostLinesInTest {
			cut := len(lines) - mostLinesInTest
			lines = append(lines[:mostLinesInTest],
				fmt.Sprintf("    ... (%d more lines)", cut))
		}
		out = append(out, lines...)
	}

	// Output from no test, say a panic in TestMain or a race found
	// after the tests, when nothing above explains the failure.
	if len(out) == 0 {
		out = r.messages(run.loose)
	}
	return strings.Join(out, "\n")
}

// hasChildRunning reports whether a subtest of test never ended.
func hasChildRunning(run *packageRun, test string) bool {
	for _, other := range run.tests {
		if _, ended := run.ended[other]; !ended &&
			strings.HasPrefix(other, test+"/") {
			return true
		}
	}
	return false
}

// hasChildFailed reports whether a subtest of test failed.
func hasChildFailed(run *packageRun, test string) bool {
	for _, other := range run.tests {
		if run.ended[other] == "fail" && strings.HasPrefix(other, test+"/") {
			return true
		}
	}
	return false
}

// messages keeps the lines of a test's output worth reading: not
// go test's own "=== RUN" and "--- PASS" lines, and of a goroutine
// dump or a race report only the lines that point into the workbook.
func (r *runner) messages(output []string) []string {
	var kept []string
	inDump := false
	heading := "" // a race report's heading, shown if a frame follows
	for _, line := range output {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "=== ") ||
			isSummary(trimmed):
			continue
		case strings.HasPrefix(line, "panic: test timed out after"):
			// Said better by report.
			inDump = true
			continue
		case strings.HasPrefix(line, "goroutine ") &&
			strings.HasSuffix(line, "]:"),
			trimmed == "WARNING: DATA RACE":
			inDump = true
			if trimmed == "WARNING: DATA RACE" {
				kept = append(kept, "    "+trimmed)
			}
			continue
		case trimmed == "==================":
			inDump = false
			continue
		case inDump && isRaceHeading(trimmed):
			heading = trimmed
			continue
		case inDump:
			if place, ok := r.inWorkbook(trimmed); ok {
				if heading != "" {
					kept = append(kept, "    "+heading)
					heading = ""
				}
				kept = append(kept, "        at "+place)
			}
			continue
		}
		kept = append(kept, "    "+shorten(trimmed))
	}
	return kept
}

// isSummary reports whether a line is go test's own account of a
// test or package ending, which the runner says in its own words.
func isSummary(line string) bool {
	for _, prefix := range []string{"--- PASS", "--- FAIL", "--- SKIP",
		"PASS", "FAIL", "ok ", "exit status "} {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

// isRaceHeading reports whether a line of a race report says which
// goroutine touched the memory: "Write at 0x... by goroutine 7:".
func isRaceHeading(line string) bool {
	return strings.HasSuffix(line, ":") &&
		(strings.Contains(line, " at 0x") ||
			strings.HasPrefix(line, "Goroutine "))
}

// inWorkbook turns a stack frame's place, "/home/me/workbook/
// exercises/05-key-value/store.go:12 +0x1d", into one from the
// workbook's root, "exercises/05-key-value/store.go:12". Frames
// outside the workbook (the runtime, the testing package) say
// nothing to a learner.
func (r *runner) inWorkbook(frame string) (string, bool) {
	place, _, _ := strings.Cut(frame, " +0x")
	prefix := r.module + string(filepath.Separator)
	if !strings.HasPrefix(place, prefix) {
		return "", false
	}
	return filepath.ToSlash(strings.TrimPrefix(place, prefix)), true
}

// shorten cuts a line longer than longestLine, saying how much is
// left out: the start of a long value is where it goes wrong first.
func shorten(line string) string {
	runes := []rune(line)
	if len(runes) <= longestLine {
		return line
	}
	return fmt.Sprintf("%s… (%d more characters)",
		string(runes[:longestLine]), len(runes)-longestLine)
}

// firstMessage is the first line of a report that is not a header,
// for verify's one-line account of a wrong version.
func firstMessage(report string) string {
	for line := range strings.Lines(report) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--- ") {
			return line
		}
	}
	return strings.TrimSpace(report)
}
