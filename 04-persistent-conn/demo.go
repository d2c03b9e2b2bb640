package main

import (
	"fmt"
	"io"
	"net"
	"time"
)

// demoClients is the demo's client: the source text's numbers on one
// connection, in lock-step, then on another, pipelined. The demo
// starts the server on a free port first, and shuts it down after.
func demoClients(addr string, out io.Writer) error {
	fmt.Fprintln(out, "client | one connection, one request at a time:")
	if err := demoClient(addr, askLockstep, true, out); err != nil {
		return err
	}
	fmt.Fprintln(out, "client | one connection, all requests at once:")
	return demoClient(addr, askPipelined, false, out)
}

// demoClient asks about the source text's numbers on one connection.
// In lock-step it prints each reply as it comes; pipelined, once they
// have all arrived, so that the server's lines and the client's come
// out in a fixed order.
func demoClient(addr string, ask func(net.Conn, [][]byte, onReply) error, printEach bool, out io.Writer) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	var lines []string
	err = ask(conn, requestsFor(sourceNumbers), func(i int, reply []byte) error {
		line := fmt.Sprintf("client | %q -> %q %s\n", sourceNumbers[i]+"\n", reply, meaningOf(reply))
		if printEach {
			fmt.Fprint(out, line)
		} else {
			lines = append(lines, line)
		}
		return nil
	})
	for _, line := range lines {
		fmt.Fprint(out, line)
	}
	return err
}
