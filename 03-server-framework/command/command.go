// Package command is the command line of chapters 03 and 04: running
// a program's commands, reading their flags, saying what went wrong
// in one line.
package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// A Command is a program, or one of its commands: main with its
// arguments and outputs passed in, for the tests. It returns the exit
// code: 0 for success, 1 when the network fails, 2 for a command line
// it cannot read.
type Command = func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// Main runs a program. Ctrl-C, SIGTERM, and SIGHUP (the terminal
// window closed, or the SSH session dropped) end run's ctx: a server
// then shuts down gracefully instead of dying with its clients cut.
func Main(run Command) {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Dispatch makes a program out of its commands: it runs the one
// args[0] names with the rest of args, or commands[""] when there are
// no arguments. "help" and -h show usage on stdout.
func Dispatch(usage string, commands map[string]Command) Command {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		name := ""
		if len(args) > 0 {
			name, args = args[0], args[1:]
		}
		if command, ok := commands[name]; ok {
			return command(ctx, args, stdout, stderr)
		}
		switch name {
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", name, usage)
		return 2
	}
}

// ParseFlags reads a command's flags from args. -h shows their help
// on stdout; a mistake is shown on stderr, with the help. When ok is
// false the command stops there, with code as its exit code: 0 after
// -h, 2 after a mistake.
func ParseFlags(flags *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	// The flag package reports the mistake itself, on stderr; we
	// show the help.
	flags.SetOutput(stderr)
	flags.Usage = func() {}
	err := flags.Parse(args)
	if err == nil {
		return 0, true
	}
	help, code := stderr, 2
	if errors.Is(err, flag.ErrHelp) {
		help, code = stdout, 0
	}
	fmt.Fprintf(help, "usage of %s:\n", flags.Name())
	flags.SetOutput(help)
	flags.PrintDefaults()
	return code, false
}

// Reason strips from a network or file error the operation, the
// address or file name and the system call it repeats ("dial tcp
// 127.0.0.1:8809: connect:", "write prime_server.log:"), which the
// message around it names in words of its own, and which differ from
// one system to another.
func Reason(err error) error {
	var opError *net.OpError
	if errors.As(err, &opError) {
		err = opError.Err
	}
	var pathError *os.PathError
	if errors.As(err, &pathError) {
		err = pathError.Err
	}
	var syscallError *os.SyscallError
	if errors.As(err, &syscallError) {
		err = syscallError.Err
	}
	return err
}
