package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"workbook/prime"
)

// telnetCRLF: telnet, and many Windows programs, end a line with
// "\r\n". Code that only removes "\n" leaves a "\r" that makes the
// number unreadable.
func telnetCRLF(out io.Writer) error {
	received, err := sendOver([]byte("17\r\n"))
	if err != nil {
		return err
	}
	line := string(received)
	fmt.Fprintf(out, "telnet sent %q\n", line)

	_, err = strconv.Atoi(strings.TrimSuffix(line, "\n"))
	fmt.Fprintf(out, "wrong: strconv.Atoi(strings.TrimSuffix(line, "+
		"\"\\n\")):\n       %v\n", err)

	n, err := strconv.Atoi(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "right: strconv.Atoi(strings.TrimRight(line, "+
		"\"\\r\\n\")) = %d\n", n)
	fmt.Fprintf(out, "       prime.Judge accepts both endings: %q\n",
		prime.Judge(received).Reply())
	return nil
}

// missingNewline: the source text's raw server replies b'T', and its
// client compares with b'T\n'. Here a server replies "T" without
// "\n", to two clients: one compares the whole reply, the other
// reads up to '\n', which never comes, and is saved by a deadline.
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

	// Client one reads a chunk and compares it with "T\n".
	buffer := make([]byte, 1024)
	n, err := client.Read(buffer)
	if err != nil {
		return err
	}
	if string(buffer[:n]) != "T\n" {
		fmt.Fprintf(out, "wrong: reply %q compared with \"T\\n\": "+
			"not understood\n", buffer[:n])
	}

	// Client two waits for a whole line. Without a deadline it
	// would wait for ever; with one, it gives up and says so.
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
	fmt.Fprintf(out, "wrong: ReadString('\\n') got %q and no \"\\n\"; "+
		"the deadline ended the wait after %v\n", line, timeout)
	fmt.Fprintln(out, "right: the server ends every reply with \"\\n\", "+
		"and the client still sets a deadline")
	return nil
}
