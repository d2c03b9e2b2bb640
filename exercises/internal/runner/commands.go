package runner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// progress is what the runner knows of one exercise: its state from
// the files, and the result of its tests if it is started.
type progress struct {
	state  state
	result result
}

func (p progress) done() bool { return p.state == started && p.result.passed }

// survey finds each exercise's progress. An untouched stub is not
// done (verify makes sure every stub fails) and a missing file
// cannot be, so only the exercises the learner has started are
// tested, in as few go test runs as their flags allow.
func (r *runner) survey(ctx context.Context) (map[string]progress, error) {
	all := make(map[string]progress)
	var jobs []job
	for _, ex := range r.exercises {
		s, err := ex.state()
		if err != nil {
			return nil, err
		}
		all[ex.name] = progress{state: s}
		if s == started {
			jobs = append(jobs, job{ex: ex})
		}
	}
	if len(jobs) == 0 {
		return all, nil
	}
	// The tests run afresh every time: say so before the wait.
	fmt.Fprintf(r.out, "Running the tests of %s, to see what passes...\n\n",
		startedOnes(jobs))
	results, err := r.test(ctx, jobs)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		all[j.ex.name] = progress{state: started, result: results[j.ex.name]}
	}
	r.sayIfRacesUnchecked(ctx, results)
	return all, nil
}

// startedOnes names the exercises of jobs: "exercise 5, the one you
// have started", "exercises 1, 2 and 5, which you have started".
func startedOnes(jobs []job) string {
	if len(jobs) == 1 {
		return fmt.Sprintf("exercise %d, the one you have started",
			jobs[0].ex.number)
	}
	var numbers []string
	for _, j := range jobs {
		numbers = append(numbers, fmt.Sprint(j.ex.number))
	}
	last := len(numbers) - 1
	return fmt.Sprintf("exercises %s and %s, which you have started",
		strings.Join(numbers[:last], ", "), numbers[last])
}

// sayIfRacesUnchecked prints, once, that data races were not checked
// when any result ran without the race detector it asked for.
func (r *runner) sayIfRacesUnchecked(ctx context.Context,
	results map[string]result) {
	for _, res := range results {
		if res.racesUnchecked {
			fmt.Fprintln(r.out, r.raceDetector(ctx).raceUnchecked())
			return
		}
	}
}

// fail prints an error that stops a command, and returns its exit
// code. Within watch, tests stopped for a save or for Ctrl-C are not
// an error: watch says itself what happens next.
func (r *runner) fail(err error) int {
	if r.watching && errors.Is(err, errStopped) {
		return 1
	}
	fmt.Fprintf(r.errOut, "exercises: %v\n", err)
	return 1
}

// overview shows the progress, then the first exercise not done:
// its failing tests and what to do next.
func (r *runner) overview(ctx context.Context) int {
	all, err := r.survey(ctx)
	if err != nil {
		return r.fail(err)
	}
	current := r.printProgress(all)
	if current == nil {
		fmt.Fprintf(r.out, "\nAll %d exercises pass. Well done!\nCompare yours with the reference: go run ./exercises solution N\n", len(r.exercises))
		return 0
	}

	ex := *current
	fmt.Fprintf(r.out, "\nCurrent: %s, %s\n", ex.name, ex.about)
	switch p := all[ex.name]; p.state {
	case notStarted:
		fmt.Fprintf(r.out, "Not started. Open %s: its comments say what to write, and where.\n", ex.shown())
	case missing:
		r.printMissing(ex)
		return 0
	default:
		fmt.Fprintf(r.out, "In progress. Its tests say:\n\n%s\n", indent(cut(p.result.report, 20)))
	}
	fmt.Fprintf(r.out, "\nNext: edit %s until its tests pass.\n"+
		"  go run ./exercises check %d    run them\n"+
		"  go run ./exercises watch      run them on every save\n"+
		"  go run ./exercises hint %d     when you are stuck\n",
		ex.shown(), ex.number, ex.number)
	return 0
}

// printMissing says that the learner's file is gone, and how to get
// the stub back.
func (r *runner) printMissing(ex exercise) {
	fmt.Fprintf(r.out, "%s is missing: it was deleted or renamed. To start again from the stub: go run ./exercises reset %d\n", ex.shown(), ex.number)
}

// printProgress prints the bar and the list, and returns the first
// exercise not done, if any.
func (r *runner) printProgress(all map[string]progress) *exercise {
	done := 0
	for _, ex := range r.exercises {
		if all[ex.name].done() {
			done++
		}
	}
	const width = 32
	filled := done * width / len(r.exercises)
	fmt.Fprintf(r.out, "Exercises: %d of %d done\n[%s%s]\n\n",
		done, len(r.exercises), strings.Repeat("█", filled),
		strings.Repeat("░", width-filled))

	// The current exercise is the first one started (or whose file
	// is missing) and not done, or else the first not started.
	var current *exercise
	for i, ex := range r.exercises {
		if p := all[ex.name]; !p.done() && p.state != notStarted {
			current = &r.exercises[i]
			break
		}
	}
	for i, ex := range r.exercises {
		if current == nil && !all[ex.name].done() {
			current = &r.exercises[i]
			break
		}
	}

	for _, ex := range r.exercises {
		mark, words := " ", "not started"
		switch p := all[ex.name]; {
		case p.done():
			mark, words = "✓", "done"
		case p.state == missing:
			words = "file missing: go run ./exercises reset " +
				fmt.Sprint(ex.number)
		case p.state == started:
			words = "in progress"
		}
		if current != nil && ex.name == current.name {
			mark = "▶"
		}
		fmt.Fprintf(r.out, "  %s %d  %-22s %s\n",
			mark, ex.number, ex.name, words)
	}
	return current
}

// list shows every exercise, its state and what it teaches.
func (r *runner) list(ctx context.Context) int {
	all, err := r.survey(ctx)
	if err != nil {
		return r.fail(err)
	}
	r.printProgress(all)
	fmt.Fprintln(r.out)
	for _, ex := range r.exercises {
		fmt.Fprintf(r.out, "%d  %s\n   %s\n", ex.number, ex.name,
			ex.about)
	}
	return 0
}

// check runs one exercise's tests and shows what they say.
func (r *runner) check(ctx context.Context, ex exercise) int {
	s, err := ex.state()
	if err != nil {
		return r.fail(err)
	}
	if s == missing {
		fmt.Fprint(r.out, "✗ ")
		r.printMissing(ex)
		return 1
	}
	results, err := r.test(ctx, []job{{ex: ex}})
	if err != nil {
		return r.fail(err)
	}
	res := results[ex.name]
	if res.passed {
		fmt.Fprintf(r.out, "✓ %s passes.\n", ex.name)
		r.sayIfRacesUnchecked(ctx, results)
		if next := r.next(ex); next != nil {
			fmt.Fprintf(r.out, "Next: exercise %d, %s (go run ./exercises)\n", next.number, next.name)
		}
		return 0
	}
	if s == notStarted {
		fmt.Fprintf(r.out, "✗ %s is not started: open %s.\n\n",
			ex.name, ex.shown())
	} else {
		fmt.Fprintf(r.out, "✗ %s does not pass yet:\n\n", ex.name)
	}
	fmt.Fprintln(r.out, indent(cut(res.report, 40)))
	if res.racesUnchecked {
		fmt.Fprintln(r.out)
		r.sayIfRacesUnchecked(ctx, results)
	}
	fmt.Fprintf(r.out, "\nStuck? go run ./exercises hint %d\n", ex.number)
	return 1
}

// next is the exercise after ex, if any.
func (r *runner) next(ex exercise) *exercise {
	for i, candidate := range r.exercises {
		if candidate.number > ex.number {
			return &r.exercises[i]
		}
	}
	return nil
}

func (r *runner) hint(_ context.Context, ex exercise) int {
	hint, err := os.ReadFile(ex.path(".meta", "hint.md"))
	if err != nil {
		return r.fail(err)
	}
	fmt.Fprintf(r.out, "Hint for %s:\n\n%s", ex.name, hint)
	return 0
}

// solution shows the reference solution, but only once the learner's
// own passes: reading it first would spoil the exercise.
func (r *runner) solution(ctx context.Context, ex exercise) int {
	s, err := ex.state()
	if err != nil {
		return r.fail(err)
	}
	passed := false
	if s == started {
		results, err := r.test(ctx, []job{{ex: ex}})
		if err != nil {
			return r.fail(err)
		}
		passed = results[ex.name].passed
	}
	if !passed {
		fmt.Fprintf(r.out, "The solution to %s opens once your version passes:\n  go run ./exercises check %d\n  go run ./exercises hint %d\n", ex.name, ex.number, ex.number)
		return 1
	}
	solution, err := os.ReadFile(ex.path(".meta", "solution", ex.file))
	if err != nil {
		return r.fail(err)
	}
	fmt.Fprintf(r.out, "A reference solution to %s, to compare with yours:\n\n%s", ex.name, solution)
	return 0
}

// reset puts the original stub back, after asking, unless the
// command said --yes. With no terminal to ask on, it does nothing:
// a learner's work is not thrown away on a guess.
func (r *runner) reset(ctx context.Context, ex exercise) int {
	if !r.yes {
		if !r.interactive {
			fmt.Fprintf(r.errOut, "exercises: reset did nothing: there is no terminal to ask on. To put back the original %s anyway: go run ./exercises reset %d --yes\n", ex.shown(), ex.number)
			return 1
		}
		question := fmt.Sprintf("Put the original %s back? Your version will be lost.", ex.shown())
		yes, answered := ask(ctx, r.stdin, r.out, question)
		if !answered {
			// Input that ends at once (an editor's run button
			// may give /dev/null) is nobody answering.
			fmt.Fprintf(r.errOut, "exercises: reset did nothing: no answer came. To put back the original %s anyway: go run ./exercises reset %d --yes\n", ex.shown(), ex.number)
			return 1
		}
		if !yes {
			fmt.Fprintln(r.out, "Nothing changed.")
			return 0
		}
	}
	stub, err := os.ReadFile(ex.path(".meta", "stub", ex.file))
	if err != nil {
		return r.fail(err)
	}
	if err := os.WriteFile(ex.path(ex.file), stub, 0o644); err != nil {
		return r.fail(err)
	}
	fmt.Fprintf(r.out, "%s is as it was shipped.\n", ex.shown())
	return 0
}

// ask prints a question and reports whether the answer is yes, and
// whether any answer came at all. Ctrl-C while it waits is no.
func ask(ctx context.Context, in io.Reader, out io.Writer,
	question string) (yes, answered bool) {
	fmt.Fprintf(out, "%s [y/N] ", question)

	// Reading waits for a line, so it happens aside, and Ctrl-C
	// does not have to wait for it.
	type reply struct {
		answer string
		err    error
	}
	replies := make(chan reply, 1)
	go func() {
		answer, err := bufio.NewReader(in).ReadString('\n')
		replies <- reply{answer, err}
	}()
	var got reply
	select {
	case got = <-replies:
	case <-ctx.Done():
		fmt.Fprintln(out)
		return false, true
	}
	if got.err != nil && got.answer == "" {
		fmt.Fprintln(out)
		return false, false
	}
	answer := strings.ToLower(strings.TrimSpace(got.answer))
	return answer == "y" || answer == "yes", true
}

// watch shows the overview, then again each time a file changes. A
// save while the tests run stops them and starts again: their result
// would be about code that is gone.
//
// It looks at the files' times and sizes every second rather than
// asking the system to notify it, which works everywhere, WSL and
// network drives included.
func (r *runner) watch(ctx context.Context) int {
	r.watching = true
	fmt.Fprintf(r.out, "Watching exercises/ for changes (looking every %v, which works on WSL and network drives too). Ctrl-C stops.\n\n", r.pollEvery)
	seen := r.snapshot()
	ticker := time.NewTicker(r.pollEvery)
	defer ticker.Stop()
	for {
		// One overview, in the background, while we keep looking.
		running, stop := context.WithCancel(ctx)
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			r.overview(running)
		}()

		// Wait for a save, or for Ctrl-C.
		changed := false
		for !changed {
			select {
			case <-ctx.Done():
				stop()
				<-finished
				return 0
			case <-ticker.C:
			}
			now := r.snapshot()
			changed = now != seen
			seen = now
		}
		// A save while the tests run makes their result useless:
		// they stop, and run again on the new code.
		restarted := false
		select {
		case <-finished:
		default:
			restarted = true
		}
		stop()
		<-finished
		when := time.Now().Format("15:04:05")
		if restarted {
			fmt.Fprintf(r.out, "\n--- a file changed, %s: the tests "+
				"start again on the new code ---\n\n", when)
			continue
		}
		fmt.Fprintf(r.out, "\n--- a file changed, %s ---\n\n", when)
	}
}

// snapshot sums up the Go files under the exercises: their names,
// sizes and times. Any save changes it.
func (r *runner) snapshot() string {
	var summary strings.Builder
	_ = filepath.WalkDir(r.root, func(path string, entry fs.DirEntry,
		err error) error {
		if err != nil || entry.IsDir() ||
			!strings.HasSuffix(path, ".go") {
			return nil
		}
		info, err := entry.Info()
		if err != nil {
			return nil
		}
		fmt.Fprintf(&summary, "%s %d %d\n", path, info.Size(),
			info.ModTime().UnixNano())
		return nil
	})
	return summary.String()
}

// cut keeps the first most lines of a report.
func cut(report string, most int) string {
	lines := strings.Split(report, "\n")
	if len(lines) <= most {
		return report
	}
	rest := len(lines) - most
	return strings.Join(lines[:most], "\n") +
		"\n... (" + count(rest, "more line") + ")"
}

// indent shifts each line right, to set test output apart.
func indent(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if line != "" {
			lines[i] = "    " + line
		}
	}
	return strings.Join(lines, "\n")
}
