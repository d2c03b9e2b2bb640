package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A runner carries out the commands for the exercises under root.
type runner struct {
	root      string
	exercises []exercise
	stdin     io.Reader
	out       io.Writer
	errOut    io.Writer
	pollEvery time.Duration // how often watch looks at the files
}

// states reports each exercise's state: started or not, and its
// test result. An untouched stub is not done (verify makes sure every
// stub fails), so only the exercises the learner has started are
// tested.
func (r *runner) states(ctx context.Context) (map[string]testRun, bool) {
	var started []exercise
	for _, ex := range r.exercises {
		if !ex.untouched() {
			started = append(started, ex)
		}
	}
	runs := make(map[string]testRun)
	if len(started) > 0 {
		var err error
		runs, err = goTest(ctx, r.root, started)
		if err != nil {
			fmt.Fprintf(r.errOut, "exercises: %v\n", err)
			return nil, false
		}
	}
	for _, ex := range started {
		run := runs[ex.name]
		run.started = true
		runs[ex.name] = run
	}
	return runs, true
}

// overview shows the progress, then the first exercise not done:
// its failing tests and what to do next.
func (r *runner) overview(ctx context.Context) int {
	runs, ok := r.states(ctx)
	if !ok {
		return 1
	}
	current := r.printProgress(runs)
	if current == nil {
		fmt.Fprintf(r.out, "\nAll %d exercises pass. Well done!\n"+
			"Compare yours with the reference: "+
			"go run ./exercises solution N\n", len(r.exercises))
		return 0
	}

	ex := *current
	fmt.Fprintf(r.out, "\nCurrent: %s, %s\n", ex.name, ex.about)
	if !runs[ex.name].started {
		fmt.Fprintf(r.out, "Not started. Open %s: its comments say "+
			"what to write, and where.\n", ex.shown())
	} else {
		fmt.Fprintf(r.out, "In progress. Its tests say:\n\n%s\n",
			indent(failures(runs[ex.name].output, 20)))
	}
	fmt.Fprintf(r.out, "\nNext: edit %s until its tests pass.\n"+
		"  go run ./exercises check %d    run them\n"+
		"  go run ./exercises watch      run them on every save\n"+
		"  go run ./exercises hint %d     when you are stuck\n",
		ex.shown(), ex.number, ex.number)
	return 0
}

// printProgress prints the bar and the list, and returns the first
// exercise not done, if any.
func (r *runner) printProgress(runs map[string]testRun) *exercise {
	done := 0
	for _, ex := range r.exercises {
		if runs[ex.name].passed {
			done++
		}
	}
	const width = 32
	filled := done * width / len(r.exercises)
	fmt.Fprintf(r.out, "Exercises: %d of %d done\n[%s%s]\n\n",
		done, len(r.exercises), strings.Repeat("█", filled),
		strings.Repeat("░", width-filled))

	// The current exercise is the first one started and not done,
	// or else the first not started.
	var current *exercise
	for i, ex := range r.exercises {
		if !runs[ex.name].passed && runs[ex.name].started {
			current = &r.exercises[i]
			break
		}
	}
	for i, ex := range r.exercises {
		if current == nil && !runs[ex.name].passed {
			current = &r.exercises[i]
			break
		}
	}

	for _, ex := range r.exercises {
		mark, state := " ", "not started"
		switch {
		case runs[ex.name].passed:
			mark, state = "✓", "done"
		case runs[ex.name].started:
			state = "in progress"
		}
		if current != nil && ex.name == current.name {
			mark = "▶"
		}
		fmt.Fprintf(r.out, "  %s %d  %-22s %s\n",
			mark, ex.number, ex.name, state)
	}
	return current
}

// list shows every exercise, its state and what it teaches.
func (r *runner) list(ctx context.Context) int {
	runs, ok := r.states(ctx)
	if !ok {
		return 1
	}
	r.printProgress(runs)
	fmt.Fprintln(r.out)
	for _, ex := range r.exercises {
		fmt.Fprintf(r.out, "%d  %s\n   %s\n", ex.number, ex.name,
			ex.about)
	}
	return 0
}

// check runs one exercise's tests and shows what they say.
func (r *runner) check(ctx context.Context, ex exercise) int {
	runs, err := goTest(ctx, r.root, []exercise{ex})
	if err != nil {
		fmt.Fprintf(r.errOut, "exercises: %v\n", err)
		return 1
	}
	run := runs[ex.name]
	if run.passed {
		fmt.Fprintf(r.out, "✓ %s passes.\n", ex.name)
		if next := r.next(ex); next != nil {
			fmt.Fprintf(r.out, "Next: exercise %d, %s "+
				"(go run ./exercises)\n", next.number, next.name)
		}
		return 0
	}
	if ex.untouched() {
		fmt.Fprintf(r.out, "✗ %s is not started: open %s.\n\n",
			ex.name, ex.shown())
	} else {
		fmt.Fprintf(r.out, "✗ %s does not pass yet:\n\n", ex.name)
	}
	fmt.Fprintln(r.out, indent(failures(run.output, 40)))
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
	hint, err := readFile(ex.path(".meta", "hint.md"))
	if err != nil {
		fmt.Fprintf(r.errOut, "exercises: %v\n", err)
		return 1
	}
	fmt.Fprintf(r.out, "Hint for %s:\n\n%s", ex.name, hint)
	return 0
}

// solution shows the reference solution, but only once the learner's
// own passes: reading it first would spoil the exercise.
func (r *runner) solution(ctx context.Context, ex exercise) int {
	runs, err := goTest(ctx, r.root, []exercise{ex})
	if err != nil {
		fmt.Fprintf(r.errOut, "exercises: %v\n", err)
		return 1
	}
	if !runs[ex.name].passed {
		fmt.Fprintf(r.out, "The solution to %s opens once your "+
			"version passes:\n  go run ./exercises check %d\n"+
			"  go run ./exercises hint %d\n",
			ex.name, ex.number, ex.number)
		return 1
	}
	solution, err := readFile(ex.path(".meta", "solution", ex.file))
	if err != nil {
		fmt.Fprintf(r.errOut, "exercises: %v\n", err)
		return 1
	}
	fmt.Fprintf(r.out, "A reference solution to %s, to compare with "+
		"yours:\n\n%s", ex.name, solution)
	return 0
}

// reset puts the original stub back, after asking.
func (r *runner) reset(_ context.Context, ex exercise) int {
	question := fmt.Sprintf("Put the original %s back? Your version "+
		"will be lost.", ex.shown())
	if !ask(r.stdin, r.out, question) {
		fmt.Fprintln(r.out, "Nothing changed.")
		return 0
	}
	stub, err := os.ReadFile(ex.path(".meta", "stub", ex.file))
	if err == nil {
		err = os.WriteFile(ex.path(ex.file), stub, 0o644)
	}
	if err != nil {
		fmt.Fprintf(r.errOut, "exercises: %v\n", err)
		return 1
	}
	fmt.Fprintf(r.out, "%s is as it was shipped.\n", ex.shown())
	return 0
}

// watch shows the overview, then again each time a file changes.
// It looks at the files' times and sizes every second rather than
// asking the system to notify it, which works everywhere, WSL and
// network drives included.
func (r *runner) watch(ctx context.Context) int {
	fmt.Fprintf(r.out, "Watching exercises/ for changes (looking "+
		"every %v, which works on WSL and network drives too). "+
		"Ctrl-C stops.\n\n", r.pollEvery)
	seen := r.snapshot()
	r.overview(ctx)
	ticker := time.NewTicker(r.pollEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return 0
		case <-ticker.C:
		}
		now := r.snapshot()
		if now == seen {
			continue
		}
		seen = now
		fmt.Fprintf(r.out, "\n--- a file changed, %s ---\n\n",
			time.Now().Format("15:04:05"))
		r.overview(ctx)
	}
}

// snapshot sums up the Go files under root: their names, sizes and
// times. Any save changes it.
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
