// Package deadlines: the deadline set once, before the loop.
package deadlines

import (
	"bufio"
	"net"
	"time"

	"workbook/prime"
)

// ServeConn answers each line of conn until the client hangs up.
func ServeConn(conn net.Conn, idle time.Duration) {
	// One deadline, set once: it is a moment, so it ends the
	// conversation idle after it began, however much the client
	// talks.
	if err := conn.SetReadDeadline(time.Now().Add(idle)); err != nil {
		return
	}
	lines := bufio.NewScanner(conn)
	for lines.Scan() {
		reply := prime.Judge(lines.Bytes()).Reply()
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}
