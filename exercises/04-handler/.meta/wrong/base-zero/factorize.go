// Package handler: ParseInt with base 0, so "0x11" is 17, "1_000" is
// 1000, and "017" is 15, in octal.
package handler

import (
	"strconv"
	"strings"
)

// Factorize is a handler: it gets one request line, without its
// "\n", and returns the reply, without "\n".
//
// For a decimal integer n from 2 to 2^63-1 (digits only, no sign, no
// spaces), the reply is n's prime factors in increasing order,
// separated by single spaces: "12" gives "2 2 3", "17" gives "17",
// "1024" gives ten 2s. For anything else ("1", "0", "-4", "x", "",
// a number too large for int64) the reply is "E".
func Factorize(request string) string {
	// ParseInt accepts a sign: rule it out first.
	if request == "" || strings.ContainsAny(request, "+-") {
		return "E"
	}
	n, err := strconv.ParseInt(request, 0, 64)
	if err != nil || n < 2 {
		return "E"
	}
	var factors []string
	// Divide out each factor as often as it goes; what is left
	// after d passes √n is itself prime.
	for d := int64(2); d <= n/d; d++ {
		for n%d == 0 {
			factors = append(factors, strconv.FormatInt(d, 10))
			n /= d
		}
	}
	if n > 1 {
		factors = append(factors, strconv.FormatInt(n, 10))
	}
	return strings.Join(factors, " ")
}
