// Package deadlines: a goroutine reads the lines and hands them over on
// a channel while ServeConn waits with a timer. When a reply cannot be
// written, ServeConn returns, and the reader, holding the next line,
// waits for ever to hand it over.
package deadlines

import (
	"bufio"
	"net"
	"time"

	"workbook/prime"
)

// ServeConn answers each line of conn until the client hangs up.
func ServeConn(conn net.Conn, idle time.Duration) {
	lines := make(chan []byte)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(conn)
		for scanner.Scan() {
			lines <- append([]byte(nil), scanner.Bytes()...)
		}
	}()
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return
			}
			reply := prime.Judge(line).Reply()
			if _, err := conn.Write(reply); err != nil {
				return
			}
			timer.Reset(idle)
		case <-timer.C:
			return
		}
	}
}
