// Chapter 01: the source text's first server and client, ported to Go
// with nothing but the socket calls: Listen, Accept, Dial, Read,
// Write and Close.
//
//	go run ./01-raw-socket                  both sides, in one terminal
//	go run ./01-raw-socket server [-addr]   the server alone
//	go run ./01-raw-socket client [-addr] [-timeout] [numbers...]
//	go run ./01-raw-socket addresses        IPv4, IPv6 and names
//	go run ./01-raw-socket accept-queue     clients waiting for Accept (Unix)
//	go run ./01-raw-socket watch            the sockets' states, by ss (Linux)
//
// The server accepts one client, answers each chunk of bytes it
// reads, and stops when that client hangs up, as the source text's
// first server would without its bugs (the README runs those).
//
// Where to read: server.go, then client.go, then demo.go, which runs
// the two together. addresses.go, queue.go and watch.go show what the
// system does under the calls; this file only reads the command line.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// defaultAddr is the address the source text uses.
const defaultAddr = "127.0.0.1:8809"

// bufferSize is how many bytes one Read may return, as in the
// source text's BUFFER_SIZE.
const bufferSize = 1024

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs passed in, so that tests
// can run every command. It returns the exit code: 0 for success,
// 1 when the network fails, 2 for a command line it cannot read.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runDemo(stdout, stderr)
	}
	switch args[0] {
	case "server":
		return runServer(args[1:], stdout, stderr)
	case "client":
		return runClient(args[1:], stdout, stderr)
	case "addresses":
		return runAddresses(args[1:], stdout, stderr)
	case "accept-queue":
		return runAcceptQueue(args[1:], stdout, stderr)
	case "watch":
		return runWatch(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return 2
}

// parseFailed is the exit code for a command line that flag.Parse
// refused: 0 when it was -h, since the usage the learner asked for
// has been printed, and 2 for anything else.
func parseFailed(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

const usage = `usage:
  go run ./01-raw-socket                  server and client together
  go run ./01-raw-socket server [-addr host:port]
  go run ./01-raw-socket client [-addr host:port] [-timeout d] [numbers...]
  go run ./01-raw-socket addresses        where a listener listens: IPv4, IPv6, names
  go run ./01-raw-socket accept-queue     what happens to clients before Accept
  go run ./01-raw-socket watch            a conversation's sockets, step by step, by ss

The server serves one client, then stops: start it again for the next.
`
