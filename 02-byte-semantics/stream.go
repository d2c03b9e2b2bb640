package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

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
// reader in pieces, as the network and the buffers deliver them.
func oneWriteManyReads(out io.Writer) error {
	client, server, err := connectedPair()
	if err != nil {
		return err
	}
	defer server.Close()

	// 8 MiB, more than the buffers between the two ends hold.
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
