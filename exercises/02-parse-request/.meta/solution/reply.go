// Package parserequest is exercise 02: from a request's bytes to the
// reply's bytes, as the workbook's protocol says.
package parserequest

import (
	"bytes"
	"math/big"

	"workbook/prime"
)

// Reply returns the bytes the server sends back for one request line,
// given exactly as it came off the wire, terminator included.
//
// The reply is "T\n" for a prime, "F\n" for an integer that is not
// prime (negative numbers, 0 and 1 included), and "E\n" for anything
// that is not an integer the protocol accepts.
//
// An accepted request is: optional spaces and tabs, an optional '+'
// or '-', 1 to 100 ASCII digits (leading zeros allowed), optional
// spaces and tabs, then "\n" or "\r\n" (or nothing, at the very end
// of a stream). A '\r' is part of the line's end only when '\n'
// follows it: "17\r" is "E\n". Everything else is "E\n": "4j",
// "0x11", "1e3", "1_000", "3.0", an empty line, other blanks ("\v",
// "\f", a non-breaking space), non-ASCII digits, NUL bytes.
//
// For the primality itself, use prime.IsPrimeBig from the workbook's
// prime package: the point here is the parsing.
func Reply(request []byte) []byte {
	// Take off the terminator, "\n" or "\r\n": a '\r' belongs to
	// it only when '\n' follows, so "17\r" keeps its '\r' and is E.
	line := request
	if bytes.HasSuffix(line, []byte("\n")) {
		line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	}
	// Then the spaces and tabs around the number, and nothing else.
	line = bytes.Trim(line, " \t")

	negative := false
	if len(line) > 0 && (line[0] == '+' || line[0] == '-') {
		negative = line[0] == '-'
		line = line[1:]
	}
	// Check the length before converting: 10 MB of digits must
	// cost nothing.
	if len(line) == 0 || len(line) > 100 {
		return []byte("E\n")
	}
	for _, c := range line {
		if c < '0' || c > '9' {
			return []byte("E\n")
		}
	}
	n, ok := new(big.Int).SetString(string(line), 10)
	if !ok {
		return []byte("E\n")
	}
	if negative || !prime.IsPrimeBig(n) {
		return []byte("F\n")
	}
	return []byte("T\n")
}
