// Package parserequest: the 100-digit limit checked before the sign is
// taken off, so "+" and 100 digits is refused.
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
	if len(line) == 0 || len(line) > 100 {
		return []byte("E\n")
	}
	negative := false
	if len(line) > 0 && (line[0] == '+' || line[0] == '-') {
		negative = line[0] == '-'
		line = line[1:]
	}
	if len(line) == 0 {
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
