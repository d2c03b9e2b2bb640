// Package parserequest: bytes.TrimSpace takes off the line end and the blanks
// at once, and with them "\v", "\f", a lone '\r' and Unicode spaces.
package parserequest

import (
	"bytes"
	"math/big"

	"workbook/prime"
)

func Reply(request []byte) []byte {
	line := bytes.TrimSpace(request)
	negative := false
	if len(line) > 0 && (line[0] == '+' || line[0] == '-') {
		negative = line[0] == '-'
		line = line[1:]
	}
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
