// Package parserequest: SetString with base 0 left to check the digits, so
// it accepts "0x11" and "1_000", and reads "017" in octal.
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
	if len(line) == 0 || len(line) > 101 {
		return []byte("E\n")
	}
	n, ok := new(big.Int).SetString(string(line), 0)
	if !ok {
		return []byte("E\n")
	}
	if n.Sign() < 0 || !prime.IsPrimeBig(n) {
		return []byte("F\n")
	}
	return []byte("T\n")
}
