// Chapter 04: one connection for many requests. The server is
// chapter 03's framework with a new handler (server.go), which
// answers every line of a connection, in order, until the client
// hangs up; the client (client.go) can wait for each reply or send
// many requests at once. The bench command (bench.go) measures what
// that saves.
//
//	go run ./04-persistent-conn                 the demo
//	go run ./04-persistent-conn server [flags]  the server alone
//	go run ./04-persistent-conn client [-addr] [-pipeline] [numbers...]
//	go run ./04-persistent-conn bench [-addr] [-n] [-c] [-runs] [-python]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"workbook/03-server-framework/primeserver"
)

func main() {
	// Ctrl-C or SIGTERM cancels ctx: the server then answers what
	// it has received, and stops.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main with its inputs and outputs passed in, for the tests.
// It returns the exit code: 0 for success, 1 when the network fails,
// 2 for a command line it cannot read.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runDemo(stdout, stderr)
	}
	switch args[0] {
	case "server":
		// Chapter 03's server command, with this chapter's
		// handler.
		return primeserver.RunServer(ctx, args[1:], stdout, stderr, answerEach)
	case "client":
		return runClient(args[1:], stdout, stderr)
	case "bench":
		return runBench(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return 2
}

const usage = `usage:
  go run ./04-persistent-conn                  server and client together
  go run ./04-persistent-conn server [-addr host:port] [-log file] [-max-line bytes] [-idle-timeout duration] [-max-conns n] [-quiet]
  go run ./04-persistent-conn client [-addr host:port] [-pipeline] [-timeout duration] [numbers...]
  go run ./04-persistent-conn bench [-addr host:port] [-n requests] [-c clients] [-runs n] [-python]
  go run ./04-persistent-conn COMMAND -h       a command's flags
`
