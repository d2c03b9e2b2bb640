// Package deadlines: a watchdog goroutine closes the connection after
// idle without a line. When the client hangs up first, ServeConn
// returns, but the watchdog lives on until idle has passed.
package deadlines

import (
	"bufio"
	"net"
	"time"

	"workbook/prime"
)

// ServeConn answers each line of conn until the client hangs up.
func ServeConn(conn net.Conn, idle time.Duration) {
	activity := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-activity:
			case <-time.After(idle):
				conn.Close()
				return
			}
		}
	}()
	lines := bufio.NewScanner(conn)
	for lines.Scan() {
		select {
		case activity <- struct{}{}:
		default:
		}
		reply := prime.Judge(lines.Bytes()).Reply()
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}
