// Package handler is exercise 04: business code for a server you do
// not have to write. The server is harness.Serve, in
// exercises/internal/harness; you write the handler it calls for
// each request.
package handler

// Factorize is a handler: it gets one request line, without its
// "\n", and returns the reply, without "\n".
//
// For a decimal integer n from 2 to 2^63-1 (digits only, no sign, no
// spaces), the reply is n's prime factors in increasing order,
// separated by single spaces: "12" gives "2 2 3", "17" gives "17",
// "1024" gives ten 2s. For anything else ("1", "0", "-4", "x", "",
// "0x11", a number too large for int64) the reply is "E".
//
// The server calls Factorize from one goroutine per connection, many
// at the same time: keep everything a call uses inside that call.
func Factorize(request string) string {
	// TODO: parse the request, then divide out each factor.
	return ""
}
