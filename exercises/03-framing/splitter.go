// Package framing is exercise 03: cut a stream of bytes into lines,
// however the network delivers it.
package framing

import "errors"

// ErrLineTooLong is what Feed returns when a line is longer than the
// Splitter's limit.
var ErrLineTooLong = errors.New("line too long")

// A Splitter receives a stream in chunks of any size and returns the
// complete lines in it. It keeps the start of an unfinished line
// until the rest arrives.
type Splitter struct {
	// MaxLine is the longest line allowed, '\n' included.
	MaxLine int

	// TODO: add what the Splitter must remember between chunks.
}

// Feed takes the next chunk of the stream and returns, in order,
// every line that the chunk completes, each with its '\n'. Bytes
// after the last '\n' are kept for the next call.
//
// As soon as more than MaxLine bytes have arrived without a '\n',
// Feed returns the lines completed before that one and
// ErrLineTooLong. Like a server hanging up, the Splitter is then
// finished: it is not fed again.
func (s *Splitter) Feed(chunk []byte) ([]string, error) {
	// TODO: find the lines in what you kept plus chunk.
	return nil, nil
}
