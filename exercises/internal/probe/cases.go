package probe

import (
	"strings"
	"time"

	"workbook/prime"
)

// A Case is one thing the probe asks a server, on a connection of its
// own, and the replies the protocol says must come back.
type Case struct {
	// Name says what the case checks, in a few words.
	Name string

	// Writes are sent in this order, with a pause between two
	// writes, so that the server receives them as separate pieces.
	Writes []string

	// EndWrite: after the last write, the probe ends its side of
	// the connection, so the last line ends at the connection's end.
	EndWrite bool

	// Lockstep: the probe waits for each write's reply before it
	// sends the next one (each write is one line).
	Lockstep bool

	// WantClose: after its replies, the server must close the
	// connection.
	WantClose bool

	// Want is the replies the protocol asks for, in order. The case
	// list fills it in with prime.Judge (see withReplies).
	Want string

	// phase says when the case runs (see the phases below).
	phase phase
}

// phase orders the cases so that a server that is slow, or serves one
// client at a time, still gets a fair hearing on every case.
type phase int

const (
	// quick cases run first, several at a time.
	quick phase = iota
	// holding cases keep a connection waiting on purpose (pauses,
	// a line that never ends): they run one at a time, so that a
	// server that serves one client at a time is not blamed for
	// the other cases waiting meanwhile.
	holding
	// heavy cases are numbers that a naive test (trial division)
	// takes minutes or years to decide. They run last: a server
	// stuck on one of them has answered everything else already.
	heavy
)

// pause is the time between two writes of one case.
const pause = 100 * time.Millisecond

// Request is everything the case sends, as one string.
func (c Case) Request() string {
	return strings.Join(c.Writes, "")
}

// limit is the time the case may take: the probe's time limit plus
// its own pauses.
func (c Case) limit(timeout time.Duration) time.Duration {
	if c.Lockstep {
		return timeout
	}
	return timeout + time.Duration(max(len(c.Writes)-1, 0))*pause
}

// Numbers with 100 digits and more, written so that a reader can count
// them: 96 zeros, then 4 more digits.
const (
	zeros96 = "000000000000000000000000000000000000000000000000" +
		"000000000000000000000000000000000000000000000000"
	// The smallest prime with 100 digits: 10^99 + 289.
	prime100 = "1" + zeros96 + "289"
	// 10^99, 100 digits, and 10^100, 101 digits.
	power99  = "1" + zeros96 + "000"
	power100 = "1" + zeros96 + "0000"
)

// ask is a case of one request line, ended by "\n".
func ask(name, number string) Case {
	return Case{Name: name, Writes: []string{number + "\n"}}
}

// askHeavy is a case of one number that defeats trial division.
func askHeavy(name, number string) Case {
	c := ask(name, number)
	c.phase = heavy
	return c
}

// askAtEnd sends request and ends the connection, without "\n".
func askAtEnd(name, request string) Case {
	return Case{Name: name, Writes: []string{request}, EndWrite: true}
}

// requestCases are the cases every server must pass, one-shot or
// persistent: each sends one request on a connection of its own.
func requestCases() []Case {
	return []Case{
		// The source text's client sends these, in this order.
		ask("source text's list: 4j", "4j"),
		ask("source text's list: 4", "4"),
		ask("source text's list: 5", "5"),
		ask("source text's list: -5", "-5"),
		ask("source text's list: 17", "17"),
		ask("source text's list: 29", "29"),
		ask("source text's list: 2**50", "1125899906842624"),
		ask("source text's list: 2**50-1", "1125899906842623"),

		// Small numbers, where off-by-one bugs live.
		ask("0 is not prime", "0"),
		ask("1 is not prime", "1"),
		ask("2, the even prime", "2"),
		ask("3 is prime", "3"),
		ask("7 is prime", "7"),
		ask("9 is not prime", "9"),
		ask("2^31-1 is prime", "2147483647"),

		// Signs.
		ask("plus sign", "+17"),
		ask("minus sign", "-17"),
		ask("minus zero", "-0"),
		ask("two signs", "++17"),
		ask("sign, then a space", "- 17"),
		ask("a sign alone", "-"),

		// Leading zeros.
		ask("leading zeros", "007"),
		ask("zeros only", "000"),

		// Spaces and tabs around the number, and nowhere else.
		ask("space before", " 17"),
		ask("space after", "17 "),
		ask("tabs around", "\t17\t"),
		ask("spaces and tabs", " \t 17 \t "),
		ask("space inside", "1 7"),
		ask("vertical tab", "\v17"),
		ask("spaces only", "   "),

		// Line ends: "\r\n" is a terminator, a '\r' alone is not.
		ask("\\r\\n ends a prime", "17\r"),
		ask("\\r\\n ends a composite", "4\r"),
		ask("spaces, then \\r\\n", " 17 \r"),
		ask("\\r\\r\\n", "17\r\r"),
		ask("empty line with \\r\\n", "\r"),
		askAtEnd("17 at the end, no \\n", "17"),
		askAtEnd("17\\r at the end, no \\n", "17\r"),

		// Not integers.
		ask("empty line", ""),
		ask("hexadecimal", "0x11"),
		ask("exponent", "1e3"),
		ask("underscore", "1_000"),
		ask("decimal point", "3.0"),
		ask("Arabic-Indic digit three", "٣"),
		ask("NUL byte", "1\x007"),
		ask("invalid UTF-8", "\xff"),
		ask("words", "seventeen"),

		// The 100-digit limit.
		ask("100 digits, composite", power99),
		ask("100 digits, negative", "-"+prime100),
		ask("101 digits", power100),
		askHeavy("100 digits, prime", prime100),

		// Beyond 64 bits.
		ask("2^64-1, composite", "18446744073709551615"),
		ask("2^64, even", "18446744073709551616"),
		askHeavy("2^64-59, prime below 2^64", "18446744073709551557"),
		askHeavy("2^64+13, prime above 2^64", "18446744073709551629"),
		askHeavy("2^61-1, prime", "2305843009213693951"),
		askHeavy("2^89-1, prime", "618970019642690137449562111"),
		askHeavy("2^127-1, prime",
			"170141183460469231731687303715884105727"),
		askHeavy("2^128+1, composite",
			"340282366920938463463374607431768211457"),

		// Carmichael numbers: Fermat's test calls them prime.
		ask("Carmichael 561", "561"),
		ask("Carmichael 1105", "1105"),
		ask("Carmichael 1729", "1729"),
		ask("Carmichael 2465", "2465"),
		ask("Carmichael 2821", "2821"),
		ask("Carmichael 6601", "6601"),
		ask("Carmichael 8911", "8911"),

		// Strong pseudoprimes: Miller-Rabin to base 2 calls them
		// prime, the larger ones to several bases too.
		ask("strong pseudoprime 2047", "2047"),
		ask("strong pseudoprime 3277", "3277"),
		ask("strong pseudoprime 4033", "4033"),
		ask("strong pseudoprime 4681", "4681"),
		ask("strong pseudoprime 8321", "8321"),
		ask("strong pseudoprime 3215031751", "3215031751"),
		ask("strong pseudoprime 3825123056546413051",
			"3825123056546413051"),
		askHeavy("strong pseudoprime above 2^64",
			"318665857834031151167461"),

		// Squares of primes: a loop that stops one short of the
		// square root calls them prime.
		ask("square of 5", "25"),
		ask("square of 7", "49"),
		ask("square of 11", "121"),
		ask("square of 17", "289"),
		askHeavy("square of 2^32-5", "18446744030759878681"),

		// Robustness.
		{
			Name:   "request split in 4 writes",
			Writes: []string{"2", "1474836", "47\r", "\n"},
			phase:  holding,
		},
		{
			Name:      "line over 1 KiB, no \\n",
			Writes:    []string{strings.Repeat("7", 2048)},
			WantClose: true,
			phase:     holding,
		},
	}
}

// persistentCases are the cases only a persistent server must pass:
// many requests on one connection.
func persistentCases() []Case {
	// The source text's list, one line each.
	list := []string{"4j\n", "4\n", "5\n", "-5\n", "17\n", "29\n",
		"1125899906842624\n", "1125899906842623\n"}
	var batch []string
	for range 12 {
		batch = append(batch, list...)
	}
	return []Case{
		{
			Name:     "8 requests in lock-step",
			Writes:   list,
			Lockstep: true,
			phase:    holding,
		},
		{
			Name:   "96 requests pipelined",
			Writes: []string{strings.Join(batch, "")},
			phase:  holding,
		},
	}
}

// Cases returns the cases for a server of the given kind, in the order
// they run, each with the replies prime.Judge gives: the probe and the
// workbook's servers agree by construction.
func Cases(kind Kind) []Case {
	cases := requestCases()
	if kind == Persistent {
		cases = append(cases, persistentCases()...)
	}
	// Quick cases first, then holding, then heavy; in the order
	// of the list within each phase.
	var ordered []Case
	for _, p := range []phase{quick, holding, heavy} {
		for _, c := range cases {
			if c.phase == p {
				ordered = append(ordered, withReplies(c))
			}
		}
	}
	return ordered
}

// withReplies fills in c.Want: prime.Judge's reply to each line of
// the request. A last piece without "\n" is either judged as it
// stands, when the connection ends after it, or the line over 1 KiB,
// which is E; Judge says E to it too, as to anything over 100 digits.
func withReplies(c Case) Case {
	var want strings.Builder
	for _, line := range strings.SplitAfter(c.Request(), "\n") {
		if line == "" {
			continue
		}
		want.Write(prime.Judge([]byte(line)).Reply())
	}
	c.Want = want.String()
	return c
}
