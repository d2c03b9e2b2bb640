// Package deadlines: a deadline on writes instead of reads, so a client
// that never sends anything is never let go.
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
		if err := conn.SetWriteDeadline(time.Now().Add(idle)); err != nil {
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
