package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// What go test -json says is read as it comes, and only what a
// report can show is kept: a learner's test that prints 400 MB costs
// the runner a few kilobytes, not the 400 MB.

// Limits on what is kept and shown, so that one wrong value of 7,000
// characters or a goroutine dump does not bury the message.
const (
	longestLine     = 200     // characters shown of one line
	keptOfALine     = 4 << 10 // bytes kept of one line, to show 200
	longestEvent    = 1 << 20 // bytes of one JSON line; longer are dropped
	mostLinesInTest = 12      // lines shown of one test's messages
	mostLooseLines  = 40      // lines shown of output from no test
	mostBuildLines  = 100     // lines kept of compiler and vet output
)

// testEvent is one line of `go test -json`.
type testEvent struct {
	Action      string
	Package     string
	ImportPath  string // for build output
	Test        string
	Output      string
	FailedBuild string // the package whose build failed, if any
}

// testOutput gathers the events of one go test, line by line, as
// they are written to it.
type testOutput struct {
	pending  []byte // a JSON line not ended yet
	dropping bool   // inside a line too long to be an event

	module  string                 // the directory holding go.mod
	runs    map[string]*packageRun // by exercise name
	partial map[string]*lineSoFar  // lines of output not ended yet

	// Packages outside the exercises whose build failed, such as
	// runtime/cgo without a C compiler, and what the build said.
	otherFailed []string
	otherBuild  []string

	stderr string
}

// A packageRun gathers the events of one exercise's package.
type packageRun struct {
	passed      bool
	failedBuild string             // the package whose build failed
	build       []string           // compiler and vet output
	tests       []string           // test names, in the order they ran
	seen        map[string]bool    // the tests listed in tests
	output      map[string]*filter // each test's messages
	ended       map[string]string  // each test's end: pass, fail, skip
	loose       *filter            // output outside any test
	timedOut    bool               // go test's -timeout fired
}

// newTestOutput gathers the output of a go test run in module.
func newTestOutput(module string) *testOutput {
	return &testOutput{module: module,
		runs:    make(map[string]*packageRun),
		partial: make(map[string]*lineSoFar)}
}

// Write takes go test's output, cuts it into lines and reads each
// line as an event. It never fails: what it cannot read, it drops.
func (o *testOutput) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		end := bytes.IndexByte(p, '\n')
		if end < 0 {
			if len(o.pending)+len(p) > longestEvent {
				o.dropping, o.pending = true, o.pending[:0]
			}
			if !o.dropping {
				o.pending = append(o.pending, p...)
			}
			break
		}
		if !o.dropping {
			o.event(append(o.pending, p[:end]...))
		}
		o.pending, o.dropping = o.pending[:0], false
		p = p[end+1:]
	}
	return n, nil
}

// exerciseIn returns the exercise's name in a package's import path
// ("workbook/exercises/01-isprime [workbook/exercises/01-isprime.test]"
// gives "01-isprime"), or "" for a package that is not an exercise.
func exerciseIn(importPath string) string {
	pkg, _, _ := strings.Cut(importPath, " ")
	name := strings.TrimSuffix(pkg[strings.LastIndex(pkg, "/")+1:], ".test")
	if !exerciseName.MatchString(name) {
		return ""
	}
	return name
}

// event reads one line of go test -json.
func (o *testOutput) event(line []byte) {
	var event testEvent
	if json.Unmarshal(line, &event) != nil {
		return
	}
	pkg := event.Package + event.ImportPath
	name := exerciseIn(pkg)
	if name == "" {
		// A package of Go's own, runtime/cgo say, that the tests
		// need and that did not build.
		switch event.Action {
		case "build-output":
			if len(o.otherBuild) < mostBuildLines {
				o.otherBuild = append(o.otherBuild,
					strings.TrimRight(event.Output, "\n"))
			}
		case "build-fail":
			path, _, _ := strings.Cut(pkg, " ")
			o.otherFailed = append(o.otherFailed, path)
		}
		return
	}
	run := o.runs[name]
	if run == nil {
		run = &packageRun{seen: make(map[string]bool),
			output: make(map[string]*filter),
			ended:  make(map[string]string),
			loose:  newFilter(o.module, mostLooseLines)}
		o.runs[name] = run
	}
	if event.FailedBuild != "" {
		run.failedBuild = event.FailedBuild
	}

	// go test -json cuts long lines into several events: only an
	// output ending in a newline ends a line.
	if event.Output != "" {
		key := pkg + "\x00" + event.Action + "\x00" + event.Test
		so := o.partial[key]
		if so == nil {
			so = &lineSoFar{}
			o.partial[key] = so
		}
		text, ended := strings.CutSuffix(event.Output, "\n")
		so.add(text)
		if !ended {
			return
		}
		delete(o.partial, key)
		o.line(run, event, so)
		return
	}
	switch {
	case event.Action == "run":
		if !run.seen[event.Test] {
			run.seen[event.Test] = true
			run.tests = append(run.tests, event.Test)
		}
	case event.Test != "" && isEnd(event.Action):
		run.ended[event.Test] = event.Action
	case event.Action == "pass" && event.Test == "":
		run.passed = true
	}
}

// line reads one whole line of output.
func (o *testOutput) line(run *packageRun, event testEvent, so *lineSoFar) {
	text := string(so.text)
	switch {
	case event.Action == "build-output":
		if len(run.build) < mostBuildLines {
			run.build = append(run.build, text)
		}
	case event.Action == "output" && event.Test != "":
		if strings.HasPrefix(text, "panic: test timed out after") {
			run.timedOut = true
		}
		f := run.output[event.Test]
		if f == nil {
			f = newFilter(o.module, mostLinesInTest)
			run.output[event.Test] = f
		}
		f.add(text, so.more)
	case event.Action == "output":
		run.loose.add(text, so.more)
	}
}

// isEnd reports whether a test event's action ends the test.
func isEnd(action string) bool {
	return action == "pass" || action == "fail" || action == "skip"
}

// A lineSoFar is a line of output as it arrives in pieces: its first
// keptOfALine bytes, and how many characters came after them.
type lineSoFar struct {
	text []byte
	more int
}

// add appends a piece of the line, keeping what fits.
func (l *lineSoFar) add(piece string) {
	if l.more == 0 {
		room := keptOfALine - len(l.text)
		if len(piece) <= room {
			l.text = append(l.text, piece...)
			return
		}
		// Cut where a character starts, never inside one.
		for room > 0 && !utf8.RuneStart(piece[room]) {
			room--
		}
		l.text = append(l.text, piece[:room]...)
		piece = piece[room:]
	}
	l.more += characters(piece)
}

// characters counts the characters of UTF-8 text by their first
// bytes, so that a piece cut inside a character counts it once.
func characters(text string) int {
	n := 0
	for i := 0; i < len(text); i++ {
		if utf8.RuneStart(text[i]) {
			n++
		}
	}
	return n
}

// headOf keeps the first most bytes written to it, for go test's
// stderr.
type headOf struct {
	most int
	kept []byte
}

func (h *headOf) Write(p []byte) (int, error) {
	if room := h.most - len(h.kept); room > 0 {
		h.kept = append(h.kept, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (h *headOf) String() string { return string(h.kept) }

// machineFailure reports whether the build failed for the machine's
// sake (see machineFailure in race.go), and says why.
func (o *testOutput) machineFailure() (string, bool) {
	failed := o.otherFailed
	said := []string{o.stderr}
	said = append(said, o.otherBuild...)
	for _, run := range o.runs {
		if run.failedBuild != "" && exerciseIn(run.failedBuild) == "" {
			failed = append(failed, run.failedBuild)
		}
		// The linker's words come under the exercise's test.
		said = append(said, run.build...)
	}
	return machineFailure(failed, strings.Join(said, "\n"))
}

// of is the result of one exercise.
func (o *testOutput) of(ex exercise, limit time.Duration) result {
	run := o.runs[ex.name]
	switch {
	case run != nil && run.passed:
		return result{passed: true}
	case run == nil:
		// A failure go test -json could not describe, a broken
		// go.mod say: its own words.
		return result{report: strings.TrimSpace(o.stderr)}
	case run.failedBuild != "" && exerciseIn(run.failedBuild) == "":
		return result{report: o.notYourCode(run.failedBuild)}
	}
	report := run.report(limit, ex.stuck)
	if report == "" {
		report = strings.TrimSpace(o.stderr)
	}
	return result{report: report}
}

// notYourCode reports a package of Go's own that did not build: the
// machine's setup is at fault, and the learner hears so.
func (o *testOutput) notYourCode(pkg string) string {
	out := []string{fmt.Sprintf("--- FAIL: Go could not build %s, "+
		"one of its own packages that the tests need: this "+
		"computer's setup is at fault, not your code", pkg)}
	for _, line := range o.otherBuild {
		if line != "" && !strings.HasPrefix(line, "# ") {
			out = append(out, "    "+shorten(line, 0))
		}
	}
	return strings.Join(out, "\n")
}

// report is what a learner reads about a failed package: each failed
// test's messages under its own --- FAIL header, and nothing about
// the tests that passed. A test stuck past limit is named with
// stuck, the likely causes for this exercise.
func (run *packageRun) report(limit time.Duration, stuck string) string {
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
			// Windows names files with backslashes.
			out = append(out, "    "+shorten(slashedPlace(line), 0))
		}
		// Vet runs only on code that compiles.
		if len(out) > 1 && out[1] == "--- FAIL: go vet" {
			out = out[1:]
		}
		if len(out) == 1 {
			out = nil
		}
	}

	// The time limit: which test was stuck, and the likely reasons
	// for this exercise.
	if run.timedOut {
		var running []string
		for _, test := range run.tests {
			if _, ended := run.ended[test]; !ended &&
				!hasChildRunning(run, test) {
				running = append(running, test)
			}
		}
		out = append(out, fmt.Sprintf("--- FAIL: %s did not finish within the time limit of %v",
			strings.Join(running, ", "), limit))
		causes := stuck
		if causes == "" {
			causes = "Is something waiting forever, or working far too hard?"
		}
		out = append(out, "    "+causes)
	}

	// Each failed test, under its own header. A test whose failure
	// is only that a subtest failed shows nothing of its own.
	for _, test := range run.tests {
		ended := run.ended[test]
		if ended != "fail" && (ended != "" || run.timedOut) {
			continue
		}
		lines := run.output[test].lines()
		if len(lines) == 0 && hasChildFailed(run, test) {
			continue
		}
		out = append(out, "--- FAIL: "+test)
		out = append(out, lines...)
	}

	// Output from no test, say a panic in TestMain or a race found
	// after the tests, when nothing above explains the failure.
	if len(out) == 0 {
		out = run.loose.lines()
	}
	return strings.Join(out, "\n")
}

// slashedPlace writes a compiler message's file name,
// "exercises\01-isprime\isprime.go:12:3: ...", with slashes.
func slashedPlace(line string) string {
	place, message, found := strings.Cut(line, ": ")
	if !found || strings.ContainsAny(place, " \t") {
		return line
	}
	return filepath.ToSlash(place) + ": " + message
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

// raceExplained is said once before a test's first race report.
const raceExplained = "A data race: two goroutines used the same " +
	"memory at the same time, at least one of them writing, with " +
	"no lock or channel to order them; the places below, in your " +
	"code, are the two sides."

// mapsExplained is said before Go's own stop on a map that two
// goroutines use at once, which Go catches without the race
// detector, though only when the two meet.
const mapsExplained = "Go stopped the tests: two goroutines used one " +
	"map at the same time, at least one of them writing; a map " +
	"shared between goroutines needs a lock around every use."

// A filter keeps, of a test's output, the lines worth reading: not
// go test's own "=== RUN" and "--- PASS" lines, and of a goroutine
// dump or a race report only the lines that point into the workbook,
// whose directory is module. It keeps the first most lines it would
// show, and counts the rest.
type filter struct {
	module  string
	most    int
	kept    []string
	more    int    // lines past most
	inDump  bool   // inside a goroutine dump or a race report
	heading string // a race report's heading, shown if a frame follows
	raced   bool   // a race report was seen
}

func newFilter(module string, most int) *filter {
	return &filter{module: module, most: most}
}

// keep adds a line to what is shown, or counts it past most.
func (f *filter) keep(line string) {
	if len(f.kept) < f.most {
		f.kept = append(f.kept, line)
		return
	}
	f.more++
}

// add reads one line of output; more counts characters cut from it.
func (f *filter) add(line string, more int) {
	trimmed := strings.TrimSpace(line)
	switch {
	case trimmed == "" || strings.HasPrefix(trimmed, "=== ") ||
		isSummary(trimmed):
	case strings.HasPrefix(line, "panic: test timed out after"):
		// Said better by report.
		f.inDump = true
	case strings.HasPrefix(line, "goroutine ") &&
		strings.HasSuffix(line, "]:"):
		f.inDump = true
	case trimmed == "WARNING: DATA RACE":
		// One plain sentence before the first report.
		f.inDump = true
		if !f.raced {
			f.raced = true
			f.keep("    " + raceExplained)
		}
		f.keep("    " + trimmed)
	case strings.HasPrefix(trimmed, "fatal error: concurrent map"):
		f.keep("    " + mapsExplained)
		f.keep("    " + trimmed)
	case trimmed == "==================":
		f.inDump = false
	case f.inDump && isRaceHeading(trimmed):
		f.heading = trimmed
	case f.inDump:
		if place, ok := inWorkbook(f.module, trimmed); ok {
			if f.heading != "" {
				f.keep("    " + f.heading)
				f.heading = ""
			}
			f.keep("        at " + place)
		}
	default:
		f.keep("    " + shorten(trimmed, more))
	}
}

// lines returns what the filter kept, and a last line counting what
// was left out past most.
func (f *filter) lines() []string {
	if f == nil {
		return nil
	}
	out := slices.Clone(f.kept)
	if f.more > 0 {
		out = append(out, "    ... ("+count(f.more, "more line")+")")
	}
	return out
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
// nothing to a learner. Go writes the places in traces with
// slashes, on Windows too ("C:/Users/me/workbook/..."), where the
// module's directory has backslashes and a drive letter that may
// differ in case.
func inWorkbook(module, frame string) (string, bool) {
	place, _, _ := strings.Cut(frame, " +0x")
	place = filepath.ToSlash(place)
	prefix := strings.TrimSuffix(filepath.ToSlash(module), "/") + "/"
	if len(place) <= len(prefix) {
		return "", false
	}
	head := place[:len(prefix)]
	same := head == prefix
	if runtime.GOOS == "windows" {
		same = strings.EqualFold(head, prefix)
	}
	if !same {
		return "", false
	}
	return place[len(prefix):], true
}

// shorten cuts a line longer than longestLine characters, saying how
// many are left out, more of them already cut before: the start of a
// long value is where it goes wrong first.
func shorten(line string, more int) string {
	total := utf8.RuneCountInString(line) + more
	if total <= longestLine {
		return line
	}
	shown, characters := line, 0
	for i := range line {
		if characters == longestLine {
			shown = line[:i]
			break
		}
		characters++
	}
	left := total - utf8.RuneCountInString(shown)
	return shown + "… (" + count(left, "more character") + ")"
}

// count says n things, "1 more line" or "3 more lines".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// firstMessage is the first line of a report that is not a header,
// for verify's one-line account of a wrong version.
func firstMessage(report string) string {
	for line := range strings.Lines(report) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--- ") &&
			line != raceExplained && line != mapsExplained {
			return line
		}
	}
	return strings.TrimSpace(report)
}
