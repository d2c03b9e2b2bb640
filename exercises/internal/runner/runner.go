// Package runner is the exercise runner behind `go run ./exercises`:
// where the learner is, what fails, what to do next.
//
// "Done" means the exercise's tests pass. The runner keeps no state
// of its own: it runs the tests each time, with the flags each
// exercise's .meta/config.json asks for, never from the test cache,
// and within a time limit.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// TimeLimit is how long one exercise's tests may run. The tests of
// every exercise finish in a few seconds when the code is right; a
// test still running after this is stuck, and the learner hears why
// it may be, instead of waiting ten minutes for go test's own limit.
// The build is not counted: only the tests' own run.
const TimeLimit = 30 * time.Second

// Usage lists the commands.
const Usage = `usage:
  go run ./exercises                  progress and the current exercise
  go run ./exercises list             every exercise and its state
  go run ./exercises check N          run exercise N's tests
  go run ./exercises hint N           a hint for exercise N
  go run ./exercises watch            check again on every save
  go run ./exercises reset N [--yes]  put back N's original stub
  go run ./exercises solution N       the reference solution, once N passes
  go run ./exercises verify           every solution passes, every stub
                                      and wrong version fails
  go run ./exercises probe HOST:PORT  grade a prime server, case by case
`

// Run carries out one command line, such as ["check", "1"], and
// returns the exit code: 0 for success, 1 for a failure, 2 for a
// command line it does not understand.
func Run(ctx context.Context, args []string, stdin *os.File,
	stdout, stderr io.Writer) int {
	module, err := findModule()
	if err != nil {
		fmt.Fprintf(stderr, "exercises: %v\n", err)
		return 1
	}
	ctx, stop := stopWhenOrphaned(ctx, 250*time.Millisecond)
	defer stop()
	r := newRunner(module, stdin, stdout, stderr)
	r.interactive = isTerminal(stdin)
	return r.command(ctx, args)
}

// stopWhenOrphaned returns a context that ends when the process that
// started the runner does. That is usually `go run ./exercises`,
// which passes no signal on to the program it runs: Ctrl-C in a
// terminal reaches the runner directly, but an editor's stop button
// may end go run alone, and the runner and its tests would go on
// running for nobody. It looks every so often.
func stopWhenOrphaned(ctx context.Context,
	every time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	parentGone, release := watchParent()
	go func() {
		defer release()
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			if parentGone() {
				cancel()
				return
			}
		}
	}()
	return ctx, cancel
}

// A runner carries out the commands for the exercises of one module.
type runner struct {
	module    string // the directory holding go.mod
	root      string // module/exercises
	exercises []exercise

	stdin       io.Reader
	interactive bool // stdin is a terminal, so reset may ask
	yes         bool // reset --yes: do not ask
	watching    bool // within watch, which says itself when tests stop
	out         io.Writer
	errOut      io.Writer

	pollEvery time.Duration // how often watch looks at the files
	limit     time.Duration // how long one exercise's tests may run
	env       []string      // the go commands' environment; nil: ours

	// Whether the race detector can run here, once found out.
	raceMu sync.Mutex
	race   *raceSupport

	// test runs the jobs' tests: r.goTest, or a fake in the runner's
	// own tests of what each command prints.
	test func(ctx context.Context, jobs []job) (map[string]result, error)
}

// newRunner returns a runner with the defaults a learner gets.
func newRunner(module string, stdin io.Reader,
	stdout, stderr io.Writer) *runner {
	r := &runner{
		module:    module,
		root:      filepath.Join(module, "exercises"),
		stdin:     stdin,
		out:       stdout,
		errOut:    stderr,
		pollEvery: time.Second,
		limit:     TimeLimit,
	}
	r.test = r.goTest
	return r
}

// isTerminal reports whether file is a terminal someone can answer
// a question on, rather than a pipe, a file or nothing.
func isTerminal(file *os.File) bool {
	if file == nil {
		return false
	}
	info, err := file.Stat()
	if err != nil {
		return false
	}
	return info.Mode()&os.ModeCharDevice != 0
}

// findModule finds the workbook: the directory with the go.mod of
// the module we are in.
func findModule() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run me from inside the workbook: no go.mod here or above")
		}
		dir = parent
	}
}

// command carries out one command line and returns the exit code.
func (r *runner) command(ctx context.Context, args []string) int {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(r.out, Usage)
		return 0
	}
	exercises, err := discover(r.root)
	if err != nil {
		fmt.Fprintf(r.errOut, "exercises: %v\n", err)
		return 1
	}
	r.exercises = exercises
	if len(args) == 0 {
		return r.overview(ctx)
	}
	name, rest := args[0], args[1:]

	// Commands without a number.
	plain := map[string]func(context.Context) int{
		"list":   r.list,
		"watch":  r.watch,
		"verify": r.verify,
	}
	if do, ok := plain[name]; ok {
		if len(rest) > 0 {
			return r.usageError("%s takes no arguments, like: go run ./exercises %s", name, name)
		}
		return do(ctx)
	}

	// Commands with one. Only reset takes an option: --yes.
	numbered := map[string]func(context.Context, exercise) int{
		"check":    r.check,
		"hint":     r.hint,
		"solution": r.solution,
		"reset":    r.reset,
	}
	do, ok := numbered[name]
	if !ok {
		return r.usageError("unknown command %q", name)
	}
	if name == "reset" {
		rest, r.yes = withoutYes(rest)
	}
	switch {
	case len(rest) == 0:
		return r.usageError("%s needs an exercise number, like: go run ./exercises %s 1", name, name)
	case len(rest) > 1:
		return r.usageError("%s takes one exercise number, like: go run ./exercises %s 1 (got %d arguments)", name, name, len(rest))
	}
	ex, ok := r.find(rest[0])
	if !ok {
		return r.usageError("there is no exercise %q: the numbers go from 1 to %d, and the names are as the list shows them, such as %s", rest[0], len(r.exercises), r.exercises[0].name)
	}
	return do(ctx, ex)
}

// usageError prints a one-line error and the usage, and returns the
// exit code for a command line not understood.
func (r *runner) usageError(format string, args ...any) int {
	fmt.Fprintf(r.errOut, "exercises: "+format+"\n\n%s", append(args, Usage)...)
	return 2
}

// isHelp reports whether arg asks for the usage.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// withoutYes returns args without --yes (or -y), and whether it was
// there.
func withoutYes(args []string) ([]string, bool) {
	var kept []string
	yes := false
	for _, arg := range args {
		if arg == "--yes" || arg == "-yes" || arg == "-y" {
			yes = true
			continue
		}
		kept = append(kept, arg)
	}
	return kept, yes
}

// find returns the exercise a learner names: by its number ("1" or
// "01") or by its name as the progress list shows it ("01-isprime").
func (r *runner) find(n string) (exercise, bool) {
	number, err := strconv.Atoi(n)
	for _, ex := range r.exercises {
		if (err == nil && ex.number == number) || ex.name == n {
			return ex, true
		}
	}
	return exercise{}, false
}
