package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"workbook/prime"
)

// framing: the cure. A bufio.Reader collects bytes until '\n',
// however the stream cuts them, and its fixed size caps how long a
// line may be. Chapters 03 and 04 frame requests the same way, with
// a buffer of their own (tcpserver's ReadLine).
func framing(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer client.Close()
	defer server.Close()

	done := make(chan error, 1)
	go func() { done <- sendAwkwardly(client) }()

	const maxLine = 1024
	reader := bufio.NewReaderSize(server, maxLine)
	for {
		// ReadSlice returns one whole line, or ErrBufferFull
		// when maxLine bytes came with no '\n' among them.
		line, err := reader.ReadSlice('\n')
		reply := prime.Judge(line).Reply()
		if errors.Is(err, bufio.ErrBufferFull) {
			reply = prime.Invalid.Reply()
			fmt.Fprintf(out, "server | %d bytes and no \"\\n\": replying %q and closing the connection\n", maxLine, reply)
		} else if err != nil {
			return err
		} else {
			fmt.Fprintf(out, "server | line %q: replying %q\n", line, reply)
		}
		if _, err := server.Write(reply); err != nil {
			return err
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			break
		}
	}
	server.Close()
	if err := <-done; err != nil {
		return err
	}

	// What the client received: every reply, in order, then the
	// end of the connection.
	replies, err := io.ReadAll(client)
	fmt.Fprintf(out, "client | received %q, then %s\n", replies, closedOrReset(err))
	return nil
}

// sendAwkwardly sends requests the way a real network may deliver
// them: a number cut in two, three lines at once, then a line far
// too long.
func sendAwkwardly(conn net.Conn) error {
	pieces := []string{
		"1", "7\n", // one request in two writes
		"4\n5\n29\r\n", // three requests in one write
		string(bytes.Repeat([]byte("9"), 5000)),
	}
	for _, piece := range pieces {
		if _, err := conn.Write([]byte(piece)); err != nil {
			return err
		}
		// A pause, so each piece travels on its own.
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// lengthPrefix: the other way to mark where a message ends. Each
// message starts with its length, four bytes in big-endian order
// (encoding/binary), and the reader reads exactly four bytes, then
// exactly that many, with io.ReadFull, which calls Read until it has
// them all. A message may then hold any byte, '\n' included, and a
// length over the limit is refused before anything is allocated.
func lengthPrefix(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer client.Close()
	defer server.Close()

	done := make(chan error, 1)
	go func() { done <- sendWithLengths(client) }()

	const maxMessage = 1024
	header := make([]byte, 4)
	for {
		// ReadFull returns only when the whole header is in.
		if _, err := io.ReadFull(server, header); err != nil {
			return err
		}
		size := binary.BigEndian.Uint32(header)
		if size > maxMessage {
			fmt.Fprintf(out, "header % x: %d bytes, over the %d-byte limit: refused before allocating, and the connection is closed\n", header, size, maxMessage)
			break
		}
		message := make([]byte, size)
		if _, err := io.ReadFull(server, message); err != nil {
			return err
		}
		fmt.Fprintf(out, "header % x: %d bytes, message %q: %q\n", header, size, message, prime.Judge(message).Reply())
	}
	server.Close()
	return <-done
}

// sendWithLengths sends three messages, each after its length: one
// cut into three writes, one holding a '\n', and then a header that
// announces four gigabytes.
func sendWithLengths(conn net.Conn) error {
	withLength := func(message string) []byte {
		framed := binary.BigEndian.AppendUint32(nil, uint32(len(message)))
		return append(framed, message...)
	}
	seventeen := withLength("17")
	pieces := [][]byte{
		seventeen[:3], seventeen[3:5], seventeen[5:], // 00 00 | 00 02 31 | 37
		withLength("4\n5"),
		binary.BigEndian.AppendUint32(nil, 0xffffffff),
	}
	for _, piece := range pieces {
		if _, err := conn.Write(piece); err != nil {
			return err
		}
		// A pause, so each piece travels on its own.
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// scannerLimit: bufio.Scanner is the shortest way to read lines, and
// it has a limit of its own: a line that does not fit in 64 KiB
// (bufio.MaxScanTokenSize) ends the scan with bufio.ErrTooLong, and
// the lines after it are never read. Scanner.Buffer sets another
// limit, such as the protocol's 1 KiB.
func scannerLimit(out io.Writer) error {
	lines := []string{"17", strings.Repeat("9", 2000), strings.Repeat("9", 100_000), "5"}
	stream := []byte(strings.Join(lines, "\n") + "\n")
	fmt.Fprintf(out, "the stream: lines of %d, %d, %d and %d bytes, each ended by \"\\n\"\n", len(lines[0]), len(lines[1]), len(lines[2]), len(lines[3]))

	for _, limit := range []int{0, 1024} {
		client, server, err := connectedPair()
		if err != nil {
			return err
		}
		// The stream fits in the system's buffers: this Write
		// returns before anybody reads.
		_, err = client.Write(stream)
		client.Close()
		if err != nil {
			server.Close()
			return err
		}
		scanner := bufio.NewScanner(server)
		if limit == 0 {
			fmt.Fprintln(out, "bufio.NewScanner(conn), as it comes:")
		} else {
			// A first buffer of 64 bytes, which may grow to limit.
			scanner.Buffer(make([]byte, 64), limit)
			fmt.Fprintf(out, "after scanner.Buffer(make([]byte, 64), %d):\n", limit)
		}
		for scanner.Scan() {
			fmt.Fprintf(out, "  a line of %d bytes\n", len(scanner.Bytes()))
		}
		server.Close()
		if !errors.Is(scanner.Err(), bufio.ErrTooLong) {
			return fmt.Errorf("expected ErrTooLong, got %v", scanner.Err())
		}
		fmt.Fprintf(out, "  then Scan returns false and Err() = %v: the lines after are never read\n", scanner.Err())
	}
	return nil
}
