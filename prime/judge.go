package prime

import (
	"bytes"
	"math/big"
)

// Verdict is the server's answer to one request: one byte, which
// travels on the wire followed by '\n'.
type Verdict byte

// The three verdicts of the prime protocol.
const (
	Prime    Verdict = 'T' // the integer is prime
	NotPrime Verdict = 'F' // an integer, but not prime
	Invalid  Verdict = 'E' // not an integer the protocol accepts
)

// MaxDigits is the longest number a request may hold, leading zeros
// counted. The limit is checked before any conversion, so a huge
// request is refused without a digit of it being converted.
const MaxDigits = 100

// Each verdict's reply line, made once.
var (
	primeReply    = []byte("T\n")
	notPrimeReply = []byte("F\n")
	invalidReply  = []byte("E\n")
)

// Reply returns the bytes the server sends for v: the verdict byte
// and '\n'. The caller must not modify them.
func (v Verdict) Reply() []byte {
	switch v {
	case Prime:
		return primeReply
	case NotPrime:
		return notPrimeReply
	case Invalid:
		return invalidReply
	}
	return nil
}

// String says what v means, in words.
func (v Verdict) String() string {
	switch v {
	case Prime:
		return "prime"
	case NotPrime:
		return "not prime"
	case Invalid:
		return "not an integer"
	}
	return "unknown verdict " + string(rune(v))
}

// Judge returns the verdict for one request line, with or without its
// terminator, exactly as it came off the wire.
//
// A request is a decimal integer of at most MaxDigits digits, with an
// optional '+' or '-' sign, leading zeros allowed, spaces and tabs
// around it, and "\n" or "\r\n" at the end (a '\r' with no '\n' after
// it is not a terminator: "17\r" is Invalid). Anything else is Invalid:
// an empty line, "4j", "0x11", "1e3", "1_000", "3.0", non-ASCII
// digits, NUL bytes, invalid UTF-8.
func Judge(request []byte) Verdict {
	digits, negative, ok := parse(request)
	if !ok {
		return Invalid
	}
	// Negative numbers, 0 and 1 are integers but not primes.
	if negative {
		return NotPrime
	}
	// Up to 19 digits always fits in a uint64: no allocation.
	if len(digits) <= 19 {
		var n uint64
		for _, c := range digits {
			n = n*10 + uint64(c-'0')
		}
		return verdictOf(isPrime64(n))
	}
	n, ok := new(big.Int).SetString(string(digits), 10)
	if !ok {
		// Cannot happen: parse has checked every byte is a digit.
		return Invalid
	}
	return verdictOf(IsPrimeBig(n))
}

func verdictOf(isPrime bool) Verdict {
	if isPrime {
		return Prime
	}
	return NotPrime
}

// parse checks the shape of a request and returns its digits, with
// leading zeros removed, and whether it had a minus sign.
func parse(request []byte) (digits []byte, negative, ok bool) {
	// One terminator: "\n", "\r\n", or none. A '\r' belongs to
	// the terminator only when '\n' follows it: "17\r" is E.
	line := request
	if bytes.HasSuffix(line, []byte("\n")) {
		line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	}
	line = bytes.Trim(line, " \t")

	// One optional sign.
	if len(line) > 0 && (line[0] == '+' || line[0] == '-') {
		negative = line[0] == '-'
		line = line[1:]
	}

	// Then only ASCII digits, at least one and at most MaxDigits.
	if len(line) == 0 || len(line) > MaxDigits {
		return nil, false, false
	}
	for _, c := range line {
		if c < '0' || c > '9' {
			return nil, false, false
		}
	}

	// "-0" is zero, which is not negative.
	line = bytes.TrimLeft(line, "0")
	if len(line) == 0 {
		return []byte("0"), false, true
	}
	return line, negative, true
}
