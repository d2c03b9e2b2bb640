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

	// Category is the part of the protocol the case checks: the
	// summary scores each category.
	Category Category

	// Writes are sent in this order, with a pause between two
	// writes, so that the server receives them as separate pieces.
	// A reply that comes before the last piece is a failure: the
	// server took a piece for the whole line.
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

	// Other, when set, is another client: the probe connects it
	// first and keeps it waiting while the case asks on a
	// connection of its own.
	Other *otherClient

	// Want is the replies the protocol asks for, in order. The case
	// list fills it in with prime.Judge (see withReplies).
	Want string

	// phase says when the case runs (see the phases below).
	phase phase

	// sentFirst: the first write has been sent already, on a
	// connection that waited (the other client's).
	sentFirst bool
}

// An otherClient connects before the case's own connection, sends
// first, and sends rest only once the case has its replies: a server
// must answer one client while another one waits, idle or in the
// middle of a line.
type otherClient struct {
	first, rest string
	// want is the reply to first+rest, filled in by withReplies.
	want string
}

// A Category is a part of the protocol, scored on its own.
type Category string

// The categories, in the order the summary shows them.
const (
	Basics     Category = "protocol basics"
	Parsing    Category = "parsing"
	Primality  Category = "primality"
	BigNumbers Category = "big numbers"
	Pieces     Category = "pieces and pipelining"
	Clients    Category = "several clients"
	Robustness Category = "robustness"
)

// Categories lists every category, in the order the summary shows
// them.
var Categories = []Category{Basics, Parsing, Primality, BigNumbers,
	Pieces, Clients, Robustness}

// phase orders the cases so that a server that is slow, or serves one
// client at a time, still gets a fair hearing on every case.
type phase int

const (
	// quick cases run first, several at a time.
	quick phase = iota
	// holding cases keep a connection waiting on purpose (pauses,
	// a line that never ends, another client): they run one at a
	// time, so that a server that serves one client at a time is
	// blamed only where a case checks it.
	holding
	// heavy cases are numbers that a naive test (trial division)
	// takes minutes or years to decide. They run last but one: a
	// server stuck on one of them has answered everything else
	// already.
	heavy
	// last asks a small number once more, after the heavy cases:
	// a server that answers it was slow on the big numbers, one
	// that does not is stuck.
	last
)

// pause is the time between two writes of one case. The probe reads
// during it: a reply before the request is complete is a failure.
const pause = 100 * time.Millisecond

// Request is everything the case sends, as one string.
func (c Case) Request() string {
	return strings.Join(c.Writes, "")
}

// limit is the time the case may take: the probe's time limit plus
// its own pauses, and the other client's time for its reply.
func (c Case) limit(timeout time.Duration) time.Duration {
	if c.Lockstep {
		return timeout
	}
	limit := timeout + time.Duration(max(len(c.Writes)-1, 0))*pause
	if c.Other != nil {
		limit += pause + timeout
	}
	return limit
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

// The request the last case asks again, after the heavy cases.
const askAgain = "97\n"

// ask is a case of one request line, ended by "\n".
func ask(category Category, name, number string) Case {
	return Case{Name: name, Category: category,
		Writes: []string{number + "\n"}}
}

// askHeavy is a case of one number that defeats trial division.
func askHeavy(category Category, name, number string) Case {
	c := ask(category, name, number)
	c.phase = heavy
	return c
}

// askAtEnd sends request and ends the connection, without "\n".
func askAtEnd(name, request string) Case {
	return Case{Name: name, Category: Parsing,
		Writes: []string{request}, EndWrite: true}
}

// requestCases are the cases every server must pass, one-shot or
// persistent: each sends one request on a connection of its own.
func requestCases() []Case {
	return []Case{
		// The source text's client sends these, in this order.
		ask(Basics, "source text's list: 4j", "4j"),
		ask(Basics, "source text's list: 4", "4"),
		ask(Basics, "source text's list: 5", "5"),
		ask(Basics, "source text's list: -5", "-5"),
		ask(Basics, "source text's list: 17", "17"),
		ask(Basics, "source text's list: 29", "29"),
		ask(Basics, "source text's list: 2**50", "1125899906842624"),
		ask(Basics, "source text's list: 2**50-1", "1125899906842623"),

		// Small numbers, where off-by-one bugs live.
		ask(Basics, "0 is not prime", "0"),
		ask(Basics, "1 is not prime", "1"),
		ask(Basics, "2, the even prime", "2"),
		ask(Basics, "3 is prime", "3"),
		ask(Basics, "7 is prime", "7"),
		ask(Basics, "9 is not prime", "9"),

		// Signs.
		ask(Parsing, "plus sign", "+17"),
		ask(Parsing, "minus sign", "-17"),
		ask(Parsing, "minus zero", "-0"),
		ask(Parsing, "two signs", "++17"),
		ask(Parsing, "sign, then a space", "- 17"),
		ask(Parsing, "a sign alone", "-"),

		// Leading zeros.
		ask(Parsing, "leading zeros", "007"),
		ask(Parsing, "zeros only", "000"),

		// Spaces and tabs around the number, and nowhere else.
		ask(Parsing, "space before", " 17"),
		ask(Parsing, "space after", "17 "),
		ask(Parsing, "tabs around", "\t17\t"),
		ask(Parsing, "spaces and tabs", " \t 17 \t "),
		ask(Parsing, "space inside", "1 7"),
		ask(Parsing, "vertical tab", "\v17"),
		ask(Parsing, "spaces only", "   "),

		// Line ends: "\r\n" is a terminator, a '\r' alone is not.
		ask(Parsing, "\\r\\n ends a prime", "17\r"),
		ask(Parsing, "\\r\\n ends a composite", "4\r"),
		ask(Parsing, "spaces, then \\r\\n", " 17 \r"),
		ask(Parsing, "\\r\\r\\n", "17\r\r"),
		ask(Parsing, "empty line with \\r\\n", "\r"),
		askAtEnd("17 at the end, no \\n", "17"),
		askAtEnd("17\\r at the end, no \\n", "17\r"),

		// Not integers.
		ask(Parsing, "empty line", ""),
		ask(Parsing, "hexadecimal", "0x11"),
		ask(Parsing, "exponent", "1e3"),
		ask(Parsing, "underscore", "1_000"),
		ask(Parsing, "decimal point", "3.0"),
		ask(Parsing, "Arabic-Indic digit three", "٣"),
		ask(Parsing, "NUL byte", "1\x007"),
		ask(Parsing, "invalid UTF-8", "\xff"),
		ask(Parsing, "words", "seventeen"),

		// The 100-digit limit.
		ask(BigNumbers, "100 digits, composite", power99),
		ask(BigNumbers, "100 digits, negative", "-"+prime100),
		ask(Parsing, "101 digits", power100),
		askHeavy(BigNumbers, "100 digits, prime", prime100),

		// Beyond 64 bits.
		ask(BigNumbers, "2^64-1, composite", "18446744073709551615"),
		ask(BigNumbers, "2^64, even", "18446744073709551616"),
		askHeavy(BigNumbers, "2^64-59, prime below 2^64",
			"18446744073709551557"),
		askHeavy(BigNumbers, "2^64+13, prime above 2^64",
			"18446744073709551629"),
		askHeavy(BigNumbers, "2^61-1, prime", "2305843009213693951"),
		askHeavy(BigNumbers, "2^89-1, prime",
			"618970019642690137449562111"),
		askHeavy(BigNumbers, "2^127-1, prime",
			"170141183460469231731687303715884105727"),
		askHeavy(BigNumbers, "2^128+1, composite",
			"340282366920938463463374607431768211457"),

		// A prime too big for a 32-bit int.
		ask(Primality, "2^31-1 is prime", "2147483647"),

		// Carmichael numbers: Fermat's test calls them prime.
		ask(Primality, "Carmichael 561", "561"),
		ask(Primality, "Carmichael 1105", "1105"),
		ask(Primality, "Carmichael 1729", "1729"),
		ask(Primality, "Carmichael 2465", "2465"),
		ask(Primality, "Carmichael 2821", "2821"),
		ask(Primality, "Carmichael 6601", "6601"),
		ask(Primality, "Carmichael 8911", "8911"),

		// Strong pseudoprimes: Miller-Rabin to base 2 calls them
		// prime, the larger ones to several bases too.
		ask(Primality, "strong pseudoprime 2047", "2047"),
		ask(Primality, "strong pseudoprime 3277", "3277"),
		ask(Primality, "strong pseudoprime 4033", "4033"),
		ask(Primality, "strong pseudoprime 4681", "4681"),
		ask(Primality, "strong pseudoprime 8321", "8321"),
		ask(Primality, "strong pseudoprime 3215031751", "3215031751"),
		ask(Primality, "strong pseudoprime 3825123056546413051",
			"3825123056546413051"),
		askHeavy(BigNumbers, "strong pseudoprime above 2^64",
			"318665857834031151167461"),

		// Squares of primes: a loop that stops one short of the
		// square root calls them prime.
		ask(Primality, "square of 5", "25"),
		ask(Primality, "square of 7", "49"),
		ask(Primality, "square of 11", "121"),
		ask(Primality, "square of 17", "289"),
		askHeavy(BigNumbers, "square of 2^32-5", "18446744030759878681"),

		// A request in pieces: each first piece has a verdict of
		// its own, other than the whole line's, so a server that
		// answers the first piece it receives cannot pass.
		{
			Name:     "request split in 4 writes",
			Category: Pieces,
			Writes:   []string{"21", "474836", "47\r", "\n"},
			phase:    holding,
		},
		{
			Name:     "25 in 2 writes, \"2\" first",
			Category: Pieces,
			Writes:   []string{"2", "5\n"},
			phase:    holding,
		},

		// Another client waits while this one asks: a server must
		// not serve one client at a time.
		{
			Name:     "while another client is idle",
			Category: Clients,
			Writes:   []string{"17\n"},
			Other:    &otherClient{},
			phase:    holding,
		},
		{
			Name:     "while another client is mid-line",
			Category: Clients,
			Writes:   []string{"17\n"},
			Other:    &otherClient{first: "1", rest: "3\n"},
			phase:    holding,
		},

		// Robustness.
		{
			Name:      "line over 1 KiB, no \\n",
			Category:  Robustness,
			Writes:    []string{strings.Repeat("7", 2048)},
			WantClose: true,
			phase:     holding,
		},
		{
			Name:     "still answers after the big numbers",
			Category: Robustness,
			Writes:   []string{askAgain},
			phase:    last,
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
			Category: Pieces,
			Writes:   list,
			Lockstep: true,
			phase:    holding,
		},
		{
			Name:     "96 requests pipelined",
			Category: Pieces,
			Writes:   []string{strings.Join(batch, "")},
			phase:    holding,
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
	// Quick cases first, then holding, then heavy, then the last;
	// in the order of the list within each phase.
	var ordered []Case
	for _, p := range []phase{quick, holding, heavy, last} {
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
	c.Want = replies(c.Request())
	if c.Other != nil {
		other := *c.Other
		other.want = replies(other.first + other.rest)
		c.Other = &other
	}
	return c
}

// replies is prime.Judge's reply to each line of request.
func replies(request string) string {
	var want strings.Builder
	for _, line := range strings.SplitAfter(request, "\n") {
		if line == "" {
			continue
		}
		want.Write(prime.Judge([]byte(line)).Reply())
	}
	return want.String()
}
