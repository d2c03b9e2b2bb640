package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"time"
)

// runAcceptQueue is the "accept-queue" command: what happens to the
// clients that connect while the server is not calling Accept.
func runAcceptQueue(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("accept-queue", flag.ContinueOnError)
	flags.SetOutput(stderr)
	if err := flags.Parse(args); err != nil {
		return parseFailed(err)
	}
	if _, err := showAcceptQueue(stdout); err != nil {
		fmt.Fprintf(stderr, "accept-queue: %v\n", err)
		return 1
	}
	return 0
}

// showAcceptQueue listens with a queue of one, connects clients
// without accepting them, and then accepts one to make room. It
// returns how long the last client waited, for the tests.
func showAcceptQueue(out io.Writer) (time.Duration, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	if err := shrinkBacklog(listener.(*net.TCPListener), 1); err != nil {
		return 0, err
	}
	addr := listener.Addr().String()
	fmt.Fprintf(out, "server   | listening on %s with a backlog of 1, and not calling Accept\n", addr)

	// The system completes the handshake for the server, and keeps
	// the connection in the listener's queue until Accept takes it.
	// Dial returns as soon as the handshake is done, and the bytes
	// the client writes wait in the server's system.
	first, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0, err
	}
	defer first.Close()
	if _, err := first.Write([]byte("17\n")); err != nil {
		return 0, err
	}
	fmt.Fprintln(out, "client 1 | connected, and sent \"17\\n\"")

	second, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0, err
	}
	defer second.Close()
	fmt.Fprintln(out, "client 2 | connected")

	// The queue is full now (Linux keeps one more than the
	// backlog). The system drops the next client's SYN without a
	// word, and the client's system sends it again later.
	type dialed struct {
		conn net.Conn
		err  error
		wait time.Duration
	}
	third := make(chan dialed, 1)
	start := time.Now()
	go func() {
		conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
		third <- dialed{conn, err, time.Since(start)}
	}()
	select {
	case d := <-third:
		if d.conn != nil {
			d.conn.Close()
		}
		return 0, fmt.Errorf("client 3 got in at once (%v): the queue was not full", d.err)
	case <-time.After(500 * time.Millisecond):
	}
	fmt.Fprintln(out, "client 3 | still not connected half a second later: its SYN was dropped")

	// Accept takes client 1 out of the queue, with its request.
	conn, err := listener.Accept()
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	request := make([]byte, bufferSize)
	n, err := conn.Read(request)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(out, "server   | Accept: client 1, whose request was waiting: %q\n", request[:n])

	// Now there is room, and client 3's next SYN gets in.
	d := <-third
	if d.err != nil {
		return 0, fmt.Errorf("client 3: %w", d.err)
	}
	defer d.conn.Close()
	fmt.Fprintf(out, "client 3 | connected after %v: a SYN sent again found room\n", d.wait.Round(time.Millisecond))
	return d.wait, nil
}
