// Package deadlines: a timer instead of a deadline, with each line read
// in its own goroutine, which is left behind when the timer wins.
package deadlines

import (
	"bufio"
	"net"
	"time"

	"workbook/prime"
)

// ServeConn answers each line of conn until the client hangs up.
func ServeConn(conn net.Conn, idle time.Duration) {
	lines := bufio.NewScanner(conn)
	for {
		// Wait for a line in a goroutine, and give up after idle.
		// When ServeConn gives up, that goroutine is still in Scan;
		// once the connection is closed, Scan returns, and the
		// goroutine waits for ever to send a result nobody reads.
		scanned := make(chan bool)
		go func() { scanned <- lines.Scan() }()
		select {
		case ok := <-scanned:
			if !ok {
				return
			}
		case <-time.After(idle):
			return
		}
		reply := prime.Judge(lines.Bytes()).Reply()
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}
