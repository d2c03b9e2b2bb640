// The exercise runner: where you are, what fails, what to do next.
//
//	go run ./exercises                  progress and the current exercise
//	go run ./exercises list             every exercise and its state
//	go run ./exercises check N          run exercise N's tests
//	go run ./exercises hint N           a hint for exercise N
//	go run ./exercises watch            check again on every save
//	go run ./exercises reset N [--yes]  put back N's original stub
//	go run ./exercises solution N       the reference solution, once N passes
//	go run ./exercises verify           for maintainers: every solution
//	                                    passes, every stub and wrong
//	                                    version fails
//	go run ./exercises probe ADDR       for teachers: grade a prime server
//
// The code is in internal/runner, so that this folder shows the
// exercises first.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"workbook/exercises/internal/probe"
	"workbook/exercises/internal/runner"
)

func main() {
	// Ctrl-C, or an editor's stop button (SIGTERM), stops the runner
	// and the tests it is running.
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	// A second Ctrl-C ends the runner at once, whatever it is doing.
	context.AfterFunc(ctx, stop)
	// The probe grades a server: a tool of its own, beside the runner.
	if len(os.Args) > 1 && os.Args[1] == "probe" {
		code := probe.Main(ctx, os.Args[2:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	code := runner.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
