// Package parserequest: the number is converted first and its digits
// counted after, so 10 MB of digits take minutes to be refused.
package parserequest

import (
	"bytes"
	"math/big"

	"workbook/prime"
)

func Reply(request []byte) []byte {
	line := request
	if bytes.HasSuffix(line, []byte("\n")) {
		line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	}
	line = bytes.Trim(line, " \t")
	negative := false
	if len(line) > 0 && (line[0] == '+' || line[0] == '-') {
		negative = line[0] == '-'
		line = line[1:]
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
	// The length is checked, but after the conversion.
	if len(line) > 100 {
		return []byte("E\n")
	}
	if negative || !prime.IsPrimeBig(n) {
		return []byte("F\n")
	}
	return []byte("T\n")
}
