// Chapter 03: the source text's socketserver version, in Go. The
// plumbing lives in the tcpserver package, and what chapters 03 and
// 04 share in primeserver; this program holds the prime handler
// (server.go), the source text's client (client.go) and the demo.
//
//	go run ./03-server-framework                 server and client
//	go run ./03-server-framework server [flags]  the server alone
//	go run ./03-server-framework client [-addr] [numbers...]
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
	// Ctrl-C or SIGTERM cancels ctx: the server then shuts down
	// gracefully.
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
		// The source text's two lines: a server, with this
		// chapter's handler.
		return primeserver.RunServer(ctx, args[1:], stdout, stderr, answerOne)
	case "client":
		return runClient(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return 2
}

const usage = `usage:
  go run ./03-server-framework                 server and client together
  go run ./03-server-framework server [-addr host:port] [-log file] [-max-line bytes] [-idle-timeout duration] [-max-conns n] [-quiet]
  go run ./03-server-framework client [-addr host:port] [-timeout duration] [numbers...]
  go run ./03-server-framework COMMAND -h      a command's flags
`
