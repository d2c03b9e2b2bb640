package primeserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Meanings are the replies a client of this protocol understands.
var Meanings = map[string]string{
	"T\n": "prime",
	"F\n": "not prime",
	"E\n": "not an integer",
}

// ReadReply reads the next reply line from replies; it is valid
// until the next read. A reply is two bytes: the reader's small
// buffer bounds what a broken server can make a client hold.
func ReadReply(replies *bufio.Reader) ([]byte, error) {
	reply, err := replies.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmt.Errorf("reply too long, starting %q", reply[:16])
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("the server closed the connection after %q", reply)
	case err != nil:
		return nil, Reason(err)
	}
	return reply, nil
}
