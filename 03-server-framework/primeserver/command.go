package primeserver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// A Command is a program's run function, or one of its commands:
// main with its arguments and outputs passed in, for the tests. It
// returns the exit code: 0 for success, 1 when the network fails, 2
// for a command line it cannot read.
type Command = func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// Main runs a chapter's program. Ctrl-C or SIGTERM cancels run's
// ctx: a server then shuts down gracefully.
func Main(run Command) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Dispatch makes a program's run function out of its commands. It
// runs the command that args[0] names with the rest of args, or the
// demo, commands[""], when there are no arguments. "help" and -h show
// usage on stdout.
func Dispatch(usage string, commands map[string]Command) Command {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		return dispatch(ctx, args, stdout, stderr, usage, commands)
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer, usage string, commands map[string]Command) int {
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

// DemoCommand is the demo: it starts a server with handle on a free
// port, runs client against it, then shuts the server down. The
// server's lines and the client's share stdout.
func DemoCommand(handle Handler, client func(addr string, out io.Writer) error) Command {
	return func(_ context.Context, _ []string, stdout, stderr io.Writer) int {
		return runDemo(handle, client, stdout, stderr)
	}
}

func runDemo(handle Handler, client func(addr string, out io.Writer) error, stdout, stderr io.Writer) int {
	out := &lockedWriter{w: stdout}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "demo: cannot listen: %v\n", err)
		return 1
	}
	// The demo's screen shows every request at once, in order
	// with the client's lines. No log file: the screen says it all.
	screen := ShowEverything(out)
	say := log.New(screen, "server | ", 0)
	errorLog := log.New(stderr, "server: ", 0)
	server := NewServer(Defaults(), handle, screen, nil, errorLog)
	say.Printf("listening on %s", listener.Addr())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, server, listener, say) }()

	clientErr := client(listener.Addr().String(), out)
	if clientErr != nil {
		fmt.Fprintf(stderr, "demo: client: %v\n", clientErr)
	}
	cancel()
	if err := <-served; err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	if clientErr != nil {
		return 1
	}
	return 0
}

// ParseFlags reads a command's flags from args. -h shows their help
// on stdout; a mistake is shown on stderr, with the help. When ok is
// false the command stops there, with code as its exit code: 0 after
// -h, 2 after a mistake.
func ParseFlags(flags *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	// The flag package reports the mistake itself, on stderr;
	// we show the help.
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

// Reason strips from a network error the operation and address it
// repeats, which the message around it already names.
func Reason(err error) error {
	var opError *net.OpError
	if errors.As(err, &opError) {
		return opError.Err
	}
	return err
}

// lockedWriter lets the server's and the client's goroutines print
// to one output without mixing their lines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
