// Package harness is the line server that exercises 04 and 05 give the
// learner, who writes only the handler it calls.
package harness

import (
	"bufio"
	"net"
	"strings"
	"sync"
)

// Serve accepts connections on listener until the listener is
// closed, and answers every line of each connection with
// handle(line) and a "\n". The line reaches handle without its "\n"
// or "\r\n". Lines over 1 KiB end the connection.
func Serve(listener net.Listener, handle func(request string) string) error {
	var connections sync.WaitGroup
	defer connections.Wait()
	for {
		conn, err := listener.Accept()
		if err != nil {
			return err
		}
		connections.Add(1)
		go func() {
			defer connections.Done()
			defer conn.Close()
			lines := bufio.NewScanner(conn)
			lines.Buffer(make([]byte, 1024), 1024)
			for lines.Scan() {
				request := strings.TrimSuffix(lines.Text(), "\r")
				reply := handle(request) + "\n"
				if _, err := conn.Write([]byte(reply)); err != nil {
					return
				}
			}
		}()
	}
}
