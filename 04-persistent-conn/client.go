package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"workbook/03-server-framework/classroom"
	"workbook/03-server-framework/command"
	"workbook/prime"
)

// sourceNumbers are the requests of the source text's first client
// (its second leaves out -5).
var sourceNumbers = []string{
	"4j", "4", "5", "-5", "17", "29",
	"1125899906842624", "1125899906842623",
}

// runClient is the "client" command: all the numbers on one
// connection, in lock-step or pipelined.
func runClient(_ context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("client", flag.ContinueOnError)
	addr := flags.String("addr", classroom.Defaults().Addr, "server address")
	pipeline := flags.Bool("pipeline", false, "send every request before reading the replies")
	timeout := flags.Duration("timeout", 5*time.Second, "how long to wait for the server, to connect and to reply")
	if code, ok := command.ParseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	numbers := flags.Args()
	if len(numbers) == 0 {
		numbers = sourceNumbers
	}

	conn, err := net.DialTimeout("tcp", *addr, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "client: cannot connect to %s: %v\n", *addr, command.Reason(err))
		return 1
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(*timeout)); err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
		return 1
	}

	ask := askLockstep
	if *pipeline {
		ask = askPipelined
	}
	// Print each reply as it comes, next to its request.
	allUnderstood := true
	err = ask(conn, requestsFor(numbers), func(i int, reply []byte) error {
		if _, ok := prime.ParseReply(reply); !ok {
			allUnderstood = false
		}
		fmt.Fprintf(stdout, "client | %q -> %q %s\n", numbers[i]+"\n", reply, meaningOf(reply))
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
		return 1
	}
	// As in chapters 01 and 03: a reply not understood is a
	// failure, and the exit code says so.
	if !allUnderstood {
		return 1
	}
	return 0
}

// requestsFor turns numbers into request lines.
func requestsFor(numbers []string) [][]byte {
	requests := make([][]byte, len(numbers))
	for i, number := range numbers {
		requests[i] = []byte(number + "\n")
	}
	return requests
}

// meaningOf says what a reply means, in words.
func meaningOf(reply []byte) string {
	if verdict, ok := prime.ParseReply(reply); ok {
		return verdict.String()
	}
	return "not understood"
}

// onReply receives each reply with the index of its request. The
// reply's bytes are valid only during the call.
type onReply func(i int, reply []byte) error

// askLockstep sends one request, waits for its reply, and only then
// sends the next: one round trip per request.
func askLockstep(conn net.Conn, requests [][]byte, handle onReply) error {
	replies := bufio.NewReader(conn)
	for i, request := range requests {
		if _, err := conn.Write(request); err != nil {
			return fmt.Errorf("sending %q: %w", request, err)
		}
		reply, err := prime.ReadReply(replies)
		if err != nil {
			return fmt.Errorf("reply to %q: %w", request, command.Reason(err))
		}
		if err := handle(i, reply); err != nil {
			return err
		}
	}
	return nil
}

// askPipelined sends every request without waiting, while it reads
// the replies as they come: they come in the order of the requests.
// The writing happens in its own goroutine: a client that wrote
// everything before reading anything could block for ever, both
// sides waiting for the other to read.
func askPipelined(conn net.Conn, requests [][]byte, handle onReply) error {
	written := make(chan error, 1)
	go func() {
		batch := bufio.NewWriter(conn)
		for _, request := range requests {
			if _, err := batch.Write(request); err != nil {
				written <- err
				return
			}
		}
		written <- batch.Flush()
	}()

	replies := bufio.NewReader(conn)
	var readErr error
	for i := range requests {
		reply, err := prime.ReadReply(replies)
		if err != nil {
			readErr = fmt.Errorf("reading reply %d: %w", i+1, command.Reason(err))
		} else {
			readErr = handle(i, reply)
		}
		if readErr != nil {
			// Unblock the writer, if it is stuck.
			conn.Close()
			break
		}
	}
	writeErr := <-written
	if readErr != nil {
		return readErr
	}
	if writeErr != nil {
		return fmt.Errorf("sending: %w", writeErr)
	}
	return nil
}
