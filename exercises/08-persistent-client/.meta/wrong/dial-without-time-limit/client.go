// Package persistentclient: the conversation has a deadline, but the
// dial has none: against a server whose queue of connections to
// accept is full, the dial waits about two minutes.
package persistentclient

import (
	"bufio"
	"fmt"
	"net"
	"time"
)

// AskAll connects once to the prime server at addr, asks about each
// number in order on that one connection (each sent as the number and
// "\n"), and returns the verdicts in the same order: "T", "F" or "E",
// without the "\n".
//
// It returns an error, and no verdicts, if it cannot connect, if the
// server closes the connection before every number is answered, or
// if a reply is not "T\n", "F\n" or "E\n". It never waits more than 5
// seconds for the server.
func AskAll(addr string, numbers []string) ([]string, error) {
	conn, err := net.Dial("tcp", addr) // no time limit
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// One deadline for the whole conversation.
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return nil, err
	}

	replies := bufio.NewReader(conn)
	verdicts := make([]string, 0, len(numbers))
	for _, number := range numbers {
		if _, err := fmt.Fprintf(conn, "%s\n", number); err != nil {
			return nil, err
		}
		reply, err := replies.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("reply to %q: %w", number, err)
		}
		switch reply {
		case "T\n", "F\n", "E\n":
			verdicts = append(verdicts, reply[:1])
		default:
			return nil, fmt.Errorf("reply to %q not understood: %q",
				number, reply)
		}
	}
	return verdicts, nil
}
