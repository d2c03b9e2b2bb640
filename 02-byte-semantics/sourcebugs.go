package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strings"
	"time"

	"workbook/prime"
)

// closeInLoop: the source text's first server, translated line by
// line. Its `finally:` block runs after every request, and it holds
// conn.close(): the connection is closed after the first reply.
func closeInLoop(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer client.Close()

	serverDone := make(chan error, 1)
	go func() { serverDone <- serveAndCloseInLoop(server, out) }()

	// The first request gets its reply.
	fmt.Fprintf(out, "client | sending %q\n", "4\n")
	reply, err := ask(client, "4\n")
	if err != nil {
		return err
	}
	// Let the server finish its loop before printing, so the two
	// sides' lines come out in the order things happened.
	if err := <-serverDone; err != nil {
		return err
	}
	fmt.Fprintf(out, "client |   reply %q\n", reply)

	// The second goes to a connection the server has closed.
	fmt.Fprintf(out, "client | sending %q\n", "5\n")
	reply, err = ask(client, "5\n")
	if err == nil {
		return fmt.Errorf("a reply from a closed connection: %q", reply)
	}
	fmt.Fprintf(out, "client |   no reply: %s\n", closedOrReset(err))
	return nil
}

// serveAndCloseInLoop is the source text's loop, bug included.
func serveAndCloseInLoop(conn net.Conn, out io.Writer) error {
	buffer := make([]byte, 1024)
	for {
		n, err := conn.Read(buffer)
		if errors.Is(err, net.ErrClosed) {
			fmt.Fprintln(out, "server | its next Read fails: the connection is closed")
			return nil
		}
		if err != nil {
			return err
		}
		verdict := prime.Judge(buffer[:n])
		fmt.Fprintf(out, "server | received %q, replying %q\n",
			buffer[:n], verdict.Reply())
		if _, err := conn.Write(verdict.Reply()); err != nil {
			return err
		}
		// The bug: this close belongs after the loop.
		conn.Close()
		fmt.Fprintln(out, "server | closed the connection, inside the loop")
	}
}

// closedOrReset names what a client sees when the server has closed
// the connection: io.EOF (or nil from io.ReadAll) after a clean close,
// or a reset. Linux resets a connection that its owner closes with
// bytes still unread, and other systems may report a closed
// connection as a reset, so both get the same words.
func closedOrReset(err error) string {
	if err == nil || errors.Is(err, io.EOF) || peerReset(err) {
		return "the server closed the connection"
	}
	return err.Error()
}

// acceptOnce: the source text's client opens a new connection for
// every number, but its first server calls accept once and stops
// when that client leaves.
func acceptOnce(out io.Writer) error {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := listener.Addr().String()

	// The server: one Accept, one client, then it is gone. It
	// closes its listener first and reports that it has stopped
	// after: once the report is in, nobody listens at addr.
	serverDone := make(chan error, 1)
	go func() {
		err := serveOneClient(listener)
		listener.Close()
		serverDone <- err
	}()

	for i, request := range []string{"4\n", "5\n"} {
		fmt.Fprintf(out, "client | new connection, sending %q\n",
			request)
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Fprintf(out, "client |   cannot connect: %s\n",
				refused(err))
			break
		}
		reply, err := ask(conn, request)
		conn.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "client |   reply %q, hanging up\n", reply)
		if i == 0 {
			// Wait until the server has stopped, as the
			// Python script would have ended.
			if err := <-serverDone; err != nil {
				return err
			}
			fmt.Fprintln(out, "server | the client hung up; the server stops")
		}
	}
	return nil
}

// serveOneClient accepts one client and answers it until it hangs
// up, chapter 01 style.
func serveOneClient(listener net.Listener) error {
	conn, err := listener.Accept()
	if err != nil {
		return err
	}
	return answerUntilHangUp(conn)
}

// answerUntilHangUp serves one connection, chapter 01 style.
func answerUntilHangUp(conn net.Conn) error {
	defer conn.Close()
	buffer := make([]byte, 1024)
	for {
		n, err := conn.Read(buffer)
		if n > 0 {
			reply := prime.Judge(buffer[:n]).Reply()
			if _, err := conn.Write(reply); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ask sends one request and reads one reply.
func ask(conn net.Conn, request string) ([]byte, error) {
	if _, err := conn.Write([]byte(request)); err != nil {
		return nil, err
	}
	reply := make([]byte, 1024)
	n, err := conn.Read(reply)
	if err != nil {
		return nil, err
	}
	return reply[:n], nil
}

// refused names a refused connection in fixed words, so that the
// README's transcript does not depend on how the system words it.
func refused(err error) string {
	if nobodyListens(err) {
		return "connection refused, nobody is listening"
	}
	return err.Error()
}

// pythonIsPrime compares the source text's isprime with the fixed
// prime.TrialDivision.
func pythonIsPrime(out io.Writer) error {
	fmt.Fprintln(out, "  n   source text   TrialDivision")
	for _, n := range []int{2, 3, 4, 5, 7, 9, 11, 15, 21, 25, 49, 97} {
		fixed := "False"
		if prime.TrialDivision(int64(n)) {
			fixed = "True"
		}
		original := sourceIsPrime(n)
		mark := ""
		if original != fixed {
			mark = "  <- wrong"
		}
		row := fmt.Sprintf("%3d   %-11s   %-5s%s",
			n, original, fixed, mark)
		fmt.Fprintln(out, strings.TrimRight(row, " "))
	}
	return nil
}

// sourceIsPrime is the source text's isprime, line by line. Python
// returns None when a function ends without a return; Go has no
// None, so this returns what Python would print.
func sourceIsPrime(n int) string {
	if n < 2 {
		return "False"
	}
	if n == 2 {
		return "True"
	}
	if n&1 == 0 {
		return "False"
	}
	for x := 3; x < int(math.Sqrt(float64(n)))+1; x += 2 {
		if n%x == 0 {
			return "False"
		}
		//lint:ignore SA4004 this is the bug being shown
		return "True" // the bug: inside the loop
	}
	return "None" // Python falls off the end of the function
}

// missingNewline: the source text's raw server replies b'T', and its
// client compares with b'T\n'. Here a server replies "T" without
// "\n", twice, on one connection that it keeps open. The client
// reads the first reply the way the source text does, as a chunk
// compared with "T\n"; it reads the second the way chapters 03 and
// 04 do, up to '\n', which never comes, and a deadline saves it.
func missingNewline(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer client.Close()
	defer server.Close()

	// The server replies twice, without "\n", and stays connected.
	if _, err := server.Write([]byte("T")); err != nil {
		return err
	}

	// First, the source text's way: a chunk compared with "T\n".
	buffer := make([]byte, 1024)
	n, err := client.Read(buffer)
	if err != nil {
		return err
	}
	if string(buffer[:n]) != "T\n" {
		fmt.Fprintf(out, "wrong: reply %q compared with \"T\\n\": not understood\n", buffer[:n])
	}

	// Then a whole line. The server neither sends '\n' nor hangs
	// up, so without a deadline the client would wait for ever;
	// with one, it gives up and says so.
	if _, err := server.Write([]byte("T")); err != nil {
		return err
	}
	const timeout = 300 * time.Millisecond
	if err := client.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	line, err := bufio.NewReader(client).ReadString('\n')
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("expected a timeout, got %q, %v", line, err)
	}
	fmt.Fprintf(out, "wrong: ReadString('\\n') got %q and no \"\\n\"; the deadline ended the wait after %v\n", line, timeout)
	fmt.Fprintln(out, "right: the server ends every reply with \"\\n\", and the client still sets a deadline")
	return nil
}
