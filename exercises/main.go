// The exercise runner: where you are, what fails, what to do next.
//
//	go run ./exercises              progress and the current exercise
//	go run ./exercises list         every exercise and its state
//	go run ./exercises check N      run exercise N's tests
//	go run ./exercises hint N       a hint for exercise N
//	go run ./exercises watch        check again on every save
//	go run ./exercises reset N      put back N's original stub
//	go run ./exercises solution N   the reference solution, once N passes
//	go run ./exercises verify       for maintainers: every solution
//	                                passes, every stub fails
//	go run ./exercises probe ADDR   for teachers: grade a prime server
//
// "Done" means the exercise's tests pass. The runner keeps no state
// of its own: it runs the tests each time (Go caches the results of
// tests whose code has not changed, so this is quick).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"time"

	"workbook/exercises/internal/probe"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if len(os.Args) > 1 && os.Args[1] == "probe" {
		code := probe.Main(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main with its inputs and outputs passed in, for the tests.
func run(ctx context.Context, args []string, stdin io.Reader,
	stdout, stderr io.Writer) int {
	root, err := findExercises()
	if err != nil {
		fmt.Fprintf(stderr, "exercises: %v\n", err)
		return 1
	}
	r := &runner{root: root, stdin: stdin, out: stdout, errOut: stderr,
		pollEvery: time.Second}
	return r.command(ctx, args)
}

// command carries out one command line and returns the exit code.
func (r *runner) command(ctx context.Context, args []string) int {
	exercises, err := discover(r.root)
	if err != nil {
		fmt.Fprintf(r.errOut, "exercises: %v\n", err)
		return 1
	}
	r.exercises = exercises
	if len(args) == 0 {
		return r.overview(ctx)
	}

	// Commands without a number.
	switch args[0] {
	case "list":
		return r.list(ctx)
	case "watch":
		return r.watch(ctx)
	case "verify":
		return r.verify(ctx)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(r.out, usage)
		return 0
	}

	// Commands with one.
	commands := map[string]func(context.Context, exercise) int{
		"check":    r.check,
		"hint":     r.hint,
		"reset":    r.reset,
		"solution": r.solution,
	}
	do, known := commands[args[0]]
	if !known {
		fmt.Fprintf(r.errOut, "unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if len(args) != 2 {
		fmt.Fprintf(r.errOut, "%s needs an exercise number, "+
			"like: go run ./exercises %s 1\n", args[0], args[0])
		return 2
	}
	ex, ok := r.find(args[1])
	if !ok {
		fmt.Fprintf(r.errOut, "there is no exercise %q: the numbers "+
			"go from 1 to %d\n", args[1], len(r.exercises))
		return 2
	}
	return do(ctx, ex)
}

// find returns the exercise numbered n.
func (r *runner) find(n string) (exercise, bool) {
	number, err := strconv.Atoi(n)
	if err != nil {
		return exercise{}, false
	}
	for _, ex := range r.exercises {
		if ex.number == number {
			return ex, true
		}
	}
	return exercise{}, false
}

const usage = `usage:
  go run ./exercises              progress and the current exercise
  go run ./exercises list         every exercise and its state
  go run ./exercises check N      run exercise N's tests
  go run ./exercises hint N       a hint for exercise N
  go run ./exercises watch        check again on every save
  go run ./exercises reset N      put back N's original stub
  go run ./exercises solution N   the reference solution, once N passes
  go run ./exercises verify       every solution passes, every stub fails
`
