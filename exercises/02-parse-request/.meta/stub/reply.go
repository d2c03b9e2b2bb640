// Package parserequest is exercise 02: from a request's bytes to the
// reply's bytes, as the workbook's protocol says.
package parserequest

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
	// TODO: check the request's shape, then answer.
	return nil
}
