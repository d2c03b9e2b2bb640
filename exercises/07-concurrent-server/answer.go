package concurrentserver

import (
	"bufio"
	"net"

	"workbook/prime"
)

// answer serves one connection: it replies to each line with the
// prime protocol until the client hangs up or conn is closed, then
// closes conn. It is given: the exercise is in server.go.
func answer(conn net.Conn) {
	defer conn.Close()
	lines := bufio.NewScanner(conn)
	for lines.Scan() {
		reply := prime.Judge(lines.Bytes()).Reply()
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}
