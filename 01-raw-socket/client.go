package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// sourceNumbers are the requests of the source text's client:
// 4j (a Python complex number), 4, 5, -5, 17, 29, 2**50, 2**50-1.
var sourceNumbers = []string{
	"4j", "4", "5", "-5", "17", "29",
	"1125899906842624", "1125899906842623",
}

// runClient is the "client" command: one connection, every number
// sent on it in turn.
func runClient(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("client", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", defaultAddr, "server address")
	timeout := flags.Duration("timeout", 5*time.Second,
		"how long to wait for the server, to connect and to reply")
	if err := flags.Parse(args); err != nil {
		return parseFailed(err)
	}
	numbers := flags.Args()
	if len(numbers) == 0 {
		numbers = sourceNumbers
	}

	// Dial makes the TCP connection: the three-way handshake. The
	// likeliest reason it fails here is a server that is not there,
	// so the message says what to check.
	conn, err := net.DialTimeout("tcp", *addr, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "client: cannot connect to %s: %v (is the server running? chapter 01's server serves one client and stops)\n", *addr, reason(err))
		return 1
	}
	defer conn.Close()

	if err := askAll(conn, numbers, *timeout, stdout); err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
		return 1
	}
	return 0
}

// askAll sends each number as one line and prints what each reply
// means. It stops at the first missing or unreadable reply.
func askAll(conn net.Conn, numbers []string, timeout time.Duration,
	out io.Writer) error {
	buffer := make([]byte, bufferSize)
	for _, number := range numbers {
		// Only bytes cross the network: the text "17" becomes
		// the bytes '1', '7' and a newline.
		request := []byte(number + "\n")
		fmt.Fprintf(out, "client | sending %q\n", request)
		if _, err := conn.Write(request); err != nil {
			return fmt.Errorf("sending %q: %w", request, err)
		}

		// Never wait forever: a server that does not answer
		// gets a deadline.
		deadline := time.Now().Add(timeout)
		if err := conn.SetReadDeadline(deadline); err != nil {
			return fmt.Errorf("setting a deadline: %w", err)
		}
		n, err := conn.Read(buffer)
		reply := buffer[:n]

		meaning, ok := describe(reply, err, timeout)
		fmt.Fprintf(out, "client |   %s\n", meaning)
		if !ok {
			return fmt.Errorf("no usable reply to %q", request)
		}
	}
	return nil
}

// describe says what a reply means, telling apart the source text's
// cases: a verdict, a reply not understood, no reply at all because
// the server closed the connection, and no reply in time.
func describe(reply []byte, err error,
	timeout time.Duration) (meaning string, ok bool) {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("no reply within %v", timeout), false
	case len(reply) == 0 && errors.Is(err, io.EOF):
		return "no reply: the server closed the connection", false
	case len(reply) == 0 && err != nil:
		return fmt.Sprintf("no reply: %v", err), false
	}
	switch string(reply) {
	case "T\n":
		return `reply "T\n": prime`, true
	case "F\n":
		return `reply "F\n": not prime`, true
	case "E\n":
		return `reply "E\n": the server could not read an integer`, true
	}
	return fmt.Sprintf("reply not understood: %q", reply), false
}
