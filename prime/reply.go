package prime

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ParseReply is the client's side of the protocol: the verdict a
// reply line carries, and whether it is one of the three.
func ParseReply(reply []byte) (Verdict, bool) {
	if len(reply) == 2 && reply[1] == '\n' {
		switch v := Verdict(reply[0]); v {
		case Prime, NotPrime, Invalid:
			return v, true
		}
	}
	return 0, false
}

// ReadReply reads the next reply line from replies; it is valid until
// the next read. A reply is two bytes, so a reader with a small buffer
// bounds what a broken server can make a client hold: a longer line
// is an error that quotes its start. The network's errors come back
// as they are.
func ReadReply(replies *bufio.Reader) ([]byte, error) {
	reply, err := replies.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmt.Errorf("reply too long, starting %q", reply[:16])
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("the server closed the connection after %q", reply)
	case err != nil:
		return nil, err
	}
	return reply, nil
}
