package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"workbook/prime"
)

// wholeBuffer: Read fills the start of the buffer and says how much
// with n. The rest of the buffer is whatever was there before: here,
// zeros.
func wholeBuffer(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer client.Close()
	defer server.Close()

	if _, err := client.Write([]byte("17\n")); err != nil {
		return err
	}
	buffer := make([]byte, 1024)
	n, err := server.Read(buffer)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Read returned n = %d into a buffer of %d bytes\n",
		n, len(buffer))
	fmt.Fprintf(out, "wrong: buffer      = %q... (%d more zeros): %q\n",
		buffer[:8], len(buffer)-8, prime.Judge(buffer).Reply())
	fmt.Fprintf(out, "right: buffer[:n]  = %q: %q\n",
		buffer[:n], prime.Judge(buffer[:n]).Reply())
	return nil
}

// twoWritesOneRead: TCP delivers a stream of bytes, not messages.
// Two Writes that reach the other side before it reads come out of
// one Read, glued together: chapter 01's server then sees "4\n5\n".
func twoWritesOneRead(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer client.Close()
	defer server.Close()

	for _, request := range []string{"4\n", "5\n"} {
		if _, err := client.Write([]byte(request)); err != nil {
			return err
		}
		fmt.Fprintf(out, "client wrote %q\n", request)
	}
	// Both writes are done before the server reads.
	buffer := make([]byte, 1024)
	n, err := server.Read(buffer)
	if err != nil {
		return err
	}
	chunk := buffer[:n]
	fmt.Fprintf(out, "wrong: one Read returned %q; chapter 01 replies %q\n",
		chunk, prime.Judge(chunk).Reply())

	// Reading line by line finds both requests.
	lines := bufio.NewReader(bytes.NewReader(chunk))
	for {
		line, err := lines.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break
		}
		fmt.Fprintf(out, "right: line %q: %q\n",
			line, prime.Judge(line).Reply())
	}
	return nil
}

// oneWriteManyReads: the other way round. One big Write reaches the
// reader in pieces: each Read returns what has arrived so far.
func oneWriteManyReads(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer server.Close()

	// 8 MiB: loopback carries at most 64 KiB in one segment, and the
	// reader reads while the segments still arrive.
	message := bytes.Repeat([]byte("7"), 8<<20)
	message[len(message)-1] = '\n'
	writeErr := make(chan error, 1)
	go func() {
		_, err := client.Write(message)
		client.Close()
		writeErr <- err
	}()

	// A buffer bigger than the message: if it arrives in pieces,
	// it is not for lack of room.
	buffer := make([]byte, len(message)+1)
	reads, total, first := 0, 0, 0
	for {
		n, err := server.Read(buffer[total:])
		if n > 0 {
			reads++
			total += n
			if reads == 1 {
				first = n
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if err := <-writeErr; err != nil {
		return err
	}
	fmt.Fprintf(out, "client: one Write of %d bytes\n", len(message))
	fmt.Fprintf(out, "server: received %d bytes in %s Reads; the first had %s of them\n", total, several(reads),
		part(first, total))
	fmt.Fprintln(out, "wrong: taking one Read as one message cuts it")
	fmt.Fprintln(out, "right: read until the terminator, '\\n'")
	return nil
}

// several and part turn counts that vary from run to run into words
// that do not, so the demonstration's output is always the same.
func several(count int) string {
	if count > 1 {
		return "several"
	}
	return "only one (try again: this varies)"
}

func part(first, total int) string {
	if first < total {
		return "only part"
	}
	return "all"
}

// writeAll: Write on a net.Conn writes every byte or returns an
// error that says why not; it never stops half-way in silence, as
// Python's send may. A peer that does not read fills the buffers,
// and only a deadline ends the wait, with n telling how far it got.
func writeAll(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer client.Close()
	defer server.Close()

	// 64 MiB: more than the sender's and the receiver's buffers
	// hold together (4 MiB and 32 MiB at most here: the last
	// figures of /proc/sys/net/ipv4/tcp_wmem and tcp_rmem).
	message := bytes.Repeat([]byte("7"), 64<<20)

	// First, a peer that reads nothing. The deadline ends the wait.
	const timeout = 300 * time.Millisecond
	if err := client.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	n, err := client.Write(message)
	if !errors.Is(err, os.ErrDeadlineExceeded) || n >= len(message) {
		return fmt.Errorf("expected a timeout, got n = %d, %v", n, err)
	}
	fmt.Fprintf(out, "peer not reading: Write of %d bytes returned n < %d and err = %v\n", len(message), len(message), reason(err))

	// Then a peer that reads everything: Write returns once the
	// last byte is handed to the system, with n = len(message).
	if err := client.SetWriteDeadline(time.Time{}); err != nil {
		return err
	}
	drained := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, server)
		drained <- err
	}()
	n, err = client.Write(message[:8<<20])
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "peer reading:     Write of %d bytes returned n = %d and err = nil\n", 8<<20, n)
	client.Close()
	return <-drained
}

// writeAfterClose: the peer has closed its end. The first Write
// still succeeds: the bytes leave, and only then does the peer's
// system answer them with a reset. A later Write fails.
func writeAfterClose(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer client.Close()

	// The server hangs up; reading would tell the client (io.EOF),
	// but this client only writes.
	server.Close()
	fmt.Fprintln(out, "server | closed the connection")

	for i := 1; i <= 3; i++ {
		_, err := client.Write([]byte("17\n"))
		if err == nil {
			fmt.Fprintf(out, "client | write %d: no error\n", i)
			// Give the reset time to come back.
			time.Sleep(50 * time.Millisecond)
			continue
		}
		fmt.Fprintf(out, "client | write %d: %v\n", i, reason(err))
		return nil
	}
	return errors.New("three writes to a closed connection, and no error")
}

// reason strips from a network error the operation and addresses it
// repeats ("write tcp 127.0.0.1:PORT->127.0.0.1:PORT: "), which vary
// from run to run, and names the system's error code.
func reason(err error) string {
	var opError *net.OpError
	if errors.As(err, &opError) {
		err = opError.Err
	}
	if name := errnoName(err); name != "" {
		return err.Error() + " (" + name + ")"
	}
	return err.Error()
}
