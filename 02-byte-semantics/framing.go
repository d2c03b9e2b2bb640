package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"workbook/prime"
)

// framing: the cure. A bufio.Reader collects bytes until '\n',
// however the stream cuts them, and its fixed size caps how long a
// line may be. Chapters 03 and 04 read requests this way.
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
		if errors.Is(err, bufio.ErrBufferFull) {
			fmt.Fprintf(out, "a line over %d bytes: %q, and the connection is closed\n", maxLine,
				prime.Invalid.Reply())
			break
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "line %q: %q\n",
			line, prime.Judge(line).Reply())
	}
	server.Close()
	return <-done
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
