// Package deadlines is exercise 06: a server that lets go of clients
// who stop talking.
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
	// TODO: give each wait for a line a deadline, idle from now.
	for lines.Scan() {
		reply := prime.Judge(lines.Bytes()).Reply()
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}
