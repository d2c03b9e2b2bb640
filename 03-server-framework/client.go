package main

import (
	"bufio"
	"bytes"
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

// sourceNumbers are the requests of the source text's second client:
// 4j, 4, 5, 17, 29, 2**50, 2**50-1.
var sourceNumbers = []string{
	"4j", "4", "5", "17", "29",
	"1125899906842624", "1125899906842623",
}

// runClient is the "client" command: each number on a connection of
// its own, as the source text's second client does, timed.
func runClient(_ context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("client", flag.ContinueOnError)
	addr := flags.String("addr", classroom.Defaults().Addr, "server address")
	timeout := flags.Duration("timeout", 5*time.Second,
		"how long to wait for the server, to connect and to reply")
	if code, ok := command.ParseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	numbers := flags.Args()
	if len(numbers) == 0 {
		numbers = sourceNumbers
	}
	if !askEach(*addr, numbers, *timeout, stdout) {
		return 1
	}
	return 0
}

// askEach asks about each number on a new connection and prints the
// reply, what it means, and how long the whole exchange took. It
// reports whether every reply was understood.
func askEach(addr string, numbers []string, timeout time.Duration,
	out io.Writer) bool {
	allUnderstood := true
	for _, number := range numbers {
		request := number + "\n"
		start := time.Now()
		reply, err := askOnce(addr, request, timeout)
		took := time.Since(start).Round(time.Microsecond)
		if err != nil {
			fmt.Fprintf(out, "client | %q: no reply: %v (%v)\n", request, err, took)
			allUnderstood = false
			continue
		}
		meaning := "not understood"
		if verdict, ok := prime.ParseReply(reply); ok {
			meaning = verdict.String()
		} else {
			allUnderstood = false
		}
		fmt.Fprintf(out, "client | %q -> %q %s (%v)\n", request, reply, meaning, took)
	}
	return allUnderstood
}

// askOnce connects, sends one request, reads one reply line, waits for
// the server to hang up, and closes: the whole life of a one-shot
// connection. The source text's client closes as soon as it has the
// reply; waiting for the server's end of the data first makes sure
// the server closes first, as a one-shot server means to, and so
// keeps the trace of the connection (TIME_WAIT, see the README) on
// its side, not on the client's.
func askOnce(addr, request string, timeout time.Duration) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("cannot connect: %w", command.Reason(err))
	}
	defer conn.Close()

	// One deadline for the exchange: never wait forever.
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	if _, err := conn.Write([]byte(request)); err != nil {
		return nil, command.Reason(err)
	}
	replies := bufio.NewReaderSize(conn, 64)
	reply, err := prime.ReadReply(replies)
	if err != nil {
		return nil, command.Reason(err)
	}
	// The reply is valid until the next read: keep a copy.
	reply = bytes.Clone(reply)
	if _, err := io.Copy(io.Discard, replies); err != nil {
		return nil, fmt.Errorf("after the reply %q, the server did not "+
			"hang up: %w", reply, command.Reason(err))
	}
	return reply, nil
}
