package classroom

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"sync"

	"workbook/03-server-framework/command"
)

// ServerCommand is the "server" command of chapters 03 and 04: it
// reads the flags, listens, opens the screen and the log, and runs
// serve, the chapter's own two lines, until Ctrl-C.
func ServerCommand(serve func(*Class) error) command.Command {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		settings := Defaults()
		flags := flag.NewFlagSet("server", flag.ContinueOnError)
		logMax := settings.flags(flags)
		if code, ok := command.ParseFlags(flags, args, stdout, stderr); !ok {
			return code
		}
		settings.LogMax = int64(*logMax)
		if problem := settings.problem(flags.Args()); problem != "" {
			fmt.Fprintf(stderr, "server: %s\n", problem)
			return 2
		}

		listener, err := net.Listen("tcp", settings.Addr)
		if err != nil {
			fmt.Fprintf(stderr, "server: cannot listen on %s: %v\n",
				settings.Addr, command.Reason(err))
			return 1
		}
		return Run(ctx, settings, listener, stdout, stderr, serve)
	}
}

// Run is the server command once it listens: it opens the screen and
// the log, runs serve until ctx ends (Ctrl-C), and returns the exit
// code. The tests run it on listeners of their own.
func Run(ctx context.Context, settings Settings, listener net.Listener,
	stdout, stderr io.Writer, serve func(*Class) error) int {
	class := open(ctx, settings, listener, NewScreen(stdout), stderr)
	// The source text appends to prime_server.log; so do we, once
	// the server could listen: a server that fails to start leaves
	// no log behind.
	if err := class.openLog(); err != nil {
		listener.Close()
		class.ErrorLog.Print(err)
		class.cancel()
		class.closeTerminal()
		return 1
	}
	sayListening(class.say, listener.Addr())
	return class.finish(serve(class))
}

// DemoCommand is the demo: the server, with serve, on a free port,
// the client against it, then Ctrl-C. The server's lines and the
// client's share stdout, in order: the screen shows every request,
// and there is no log.
func DemoCommand(serve func(*Class) error,
	client func(addr string, out io.Writer) error) command.Command {
	return func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
		out := &lockedWriter{w: stdout}
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintf(stderr, "demo: cannot listen: %v\n", err)
			return 1
		}
		settings := Defaults()
		settings.Log = logOff
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		class := open(ctx, settings, listener, ShowEverything(out), stderr)
		class.say.Printf("listening on %s", listener.Addr())
		served := make(chan int, 1)
		go func() { served <- class.finish(serve(class)) }()

		clientErr := client(listener.Addr().String(), out)
		if clientErr != nil {
			fmt.Fprintf(stderr, "demo: client: %v\n", clientErr)
		}
		cancel()
		if code := <-served; code != 0 || clientErr != nil {
			return 1
		}
		return 0
	}
}

// lockedWriter lets the server's and the client's goroutines print to
// one output without mixing their lines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
