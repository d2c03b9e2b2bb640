package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"workbook/prime"
)

// idleTimeout is how long the server waits for a silent client
// before giving up on it.
const idleTimeout = 30 * time.Second

// runServer is the "server" command: listen, serve one client, stop.
func runServer(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("server", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", defaultAddr,
		"address to listen on (0.0.0.0:8809 to accept other machines)")
	if err := flags.Parse(args); err != nil {
		return parseFailed(err)
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "server: unexpected argument %q\n",
			flags.Arg(0))
		return 2
	}

	// Listen reserves the address. It fails if another program
	// holds it already, the most common error in a classroom.
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "server: cannot listen on %s: %v\n",
			*addr, reason(err))
		return 1
	}
	defer listener.Close()
	fmt.Fprintf(stdout, "server | listening on %s\n", listener.Addr())

	conn, err := acceptOne(listener, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	if err := serve(conn, stdout); err != nil {
		fmt.Fprintf(stderr, "server: %v\n", err)
		return 1
	}
	return 0
}

// reason strips from a network error the operation and address it
// repeats, which the message around it already names.
func reason(err error) error {
	var opError *net.OpError
	if errors.As(err, &opError) {
		return opError.Err
	}
	return err
}

// acceptOne waits for the one client this server will ever have.
// The source text has no loop around accept, and neither do we.
func acceptOne(listener net.Listener, out io.Writer) (net.Conn, error) {
	conn, err := listener.Accept()
	if err != nil {
		return nil, fmt.Errorf("accepting a client: %w", err)
	}
	fmt.Fprintf(out, "server | connection accepted from %s\n",
		conn.RemoteAddr())
	return conn, nil
}

// serve answers every chunk of bytes the client sends, until the
// client hangs up, then closes the connection.
func serve(conn net.Conn, out io.Writer) error {
	defer conn.Close()
	buffer := make([]byte, bufferSize)
	for {
		// A client that goes quiet must not hold the server
		// forever: each Read gets a deadline.
		deadline := time.Now().Add(idleTimeout)
		if err := conn.SetReadDeadline(deadline); err != nil {
			return fmt.Errorf("setting a deadline: %w", err)
		}

		// Read returns whatever bytes have arrived, up to 1024:
		// maybe one request, maybe less, maybe more. Like the
		// source text, we take each chunk as one request.
		n, err := conn.Read(buffer)
		if n > 0 {
			if err := answer(conn, buffer[:n], out); err != nil {
				return err
			}
		}

		// Reading zero bytes and io.EOF is how a socket says
		// "the other side closed": the source text's
		// `if not data: break`.
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(out, "server | the client hung up; stopping")
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading from %s: %w",
				conn.RemoteAddr(), err)
		}
	}
}

// answer judges one request and writes the reply.
func answer(conn net.Conn, request []byte, out io.Writer) error {
	verdict := prime.Judge(request)
	reply := verdict.Reply()

	// %q shows the bytes as they are, "\n" included, and keeps
	// control characters from reaching the terminal.
	fmt.Fprintf(out, "server | received %q: %s, replying %q\n",
		request, verdict, reply)

	if _, err := conn.Write(reply); err != nil {
		return fmt.Errorf("replying to %s: %w", conn.RemoteAddr(), err)
	}
	return nil
}
