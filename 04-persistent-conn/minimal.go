package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"

	"workbook/03-server-framework/command"
	"workbook/prime"
)

// runMinimal is the "minimal" command: the yardstick that
// `bench -minimal` measures this chapter's server against. It
// answers every line of a connection, in order, with the same
// prime.Judge, and nothing else: no limits, no timeouts, no screen,
// no log, no graceful shutdown. What this chapter's server does
// beyond it costs the difference.
func runMinimal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("minimal", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8809", "address to listen on")
	if code, ok := command.ParseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "minimal: %v\n", command.Reason(err))
		return 1
	}
	go func() {
		<-ctx.Done()
		listener.Close()
	}()
	fmt.Fprintf(stdout, "minimal | listening on %s\n", listener.Addr())
	for {
		conn, err := listener.Accept()
		if err != nil {
			return 0
		}
		go answerAll(conn)
	}
}

// answerAll answers every line of conn until the client hangs up,
// flushing when no more requests are waiting.
func answerAll(conn net.Conn) {
	defer conn.Close()
	requests := bufio.NewReader(conn)
	replies := bufio.NewWriter(conn)
	for {
		line, err := requests.ReadSlice('\n')
		if err != nil {
			_ = replies.Flush()
			return
		}
		_, _ = replies.Write(prime.Judge(line).Reply())
		if requests.Buffered() == 0 && replies.Flush() != nil {
			return
		}
	}
}
