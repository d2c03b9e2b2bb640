package probe

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"syscall"
	"time"
)

// A cause is why a case failed, in the words of the student who
// wrote the server: the summary groups the failures by cause.
type cause int

const (
	noCause cause = iota
	noNewline
	crlfReplies
	badFormat
	compositeAsPrime
	primeAsComposite
	acceptsNonInteger
	refusesInteger
	noReply
	neverReplies
	leftUnanswered
	slowOnBigNumbers
	stoppedAnswering
	oneAtATime
	noLineLimit
	pieceAsRequest
	closedNoReply
	resetNoReply
	closedMidRequest
	stoppedListening
	cannotConnect
	refusedOnce
	fewerReplies
	outOfOrder
	notClosedLong
	moreReplies
	answersOnce
	unexpected
)

// explained is a cause's name, which the summary line uses, and what
// it means for the server's code.
type explained struct {
	name, meaning string
}

var causes = map[cause]explained{
	noNewline: {`its replies lack "\n"`,
		`each reply is one line, "T\n", "F\n" or "E\n": a client ` +
			`that reads lines waits for ever for a reply without "\n"`},
	crlfReplies: {`its replies end with "\r\n"`,
		`the protocol's replies end with "\n" alone`},
	badFormat: {"its replies are not T, F or E",
		`each reply is one byte, T, F or E, then "\n"`},
	compositeAsPrime: {"it calls composite numbers prime",
		"its primality test lets these through (the cases' names " +
			"say which trap: Carmichael numbers fool Fermat's " +
			"test, squares of primes a loop that stops before " +
			"the square root)"},
	primeAsComposite: {"it calls prime numbers composite",
		"its primality test rejects these primes"},
	acceptsNonInteger: {"it takes for numbers what the protocol refuses",
		`these must get "E\n": the protocol accepts ASCII digits, ` +
			`one sign, spaces and tabs around, "\n" or "\r\n" at ` +
			`the end, 100 digits at most (Python's int() and ` +
			`strip() take more)`},
	refusesInteger: {"it refuses numbers the protocol accepts",
		`these are integers, and get "T\n" or "F\n" (a 64-bit ` +
			`parse refuses numbers past 2^63-1)`},
	noReply: {"it did not reply in time",
		"no reply came within the time limit"},
	neverReplies: {"it never replies",
		"no case got a reply within the time limit: does the " +
			"server write its reply, and flush it? does it wait " +
			"for more than one line?"},
	leftUnanswered: {"it left small requests unanswered",
		"no reply within the time limit to these, though it " +
			"answered others like them: a loop that never ends on " +
			"these inputs, or a server busy elsewhere (with big " +
			"numbers from an earlier run? restart it and probe " +
			"again)"},
	slowOnBigNumbers: {"it is too slow on big numbers",
		"no reply within the time limit, though it still answers " +
			"small numbers afterwards: trial division takes " +
			"years on these; Miller-Rabin (the prime package) " +
			"decides them at once"},
	stoppedAnswering: {"it stopped answering",
		"no reply to these cases, small numbers included: the " +
			"server is stuck (a loop that never ends, a lock never " +
			"released, a big number it will not finish)"},
	oneAtATime: {"it serves one client at a time",
		"while another client's connection stays open, nobody " +
			"else gets a reply: serve each client in a thread, a " +
			"task or a goroutine of its own"},
	noLineLimit: {`it waits without limit for a "\n"`,
		`a line over 1 KiB with no "\n" must get "E\n" and a close ` +
			`(Python's readline() needs a limit: readline(1025))`},
	pieceAsRequest: {"it answers a piece of a request as a whole line",
		`TCP may deliver a line in pieces: read until the "\n" ` +
			`(one recv() or one Read returns what has arrived so ` +
			`far, not a line)`},
	closedNoReply: {"it closes the connection without replying",
		"the connection ended before any reply came"},
	resetNoReply: {"it resets the connection without replying",
		"the connection was reset before any reply came: the " +
			"server closed with bytes unread, or crashed"},
	closedMidRequest: {"it closes before the request is complete",
		`the server closed the connection before the line's "\n" ` +
			`came`},
	stoppedListening: {"it stopped listening",
		"every connection since was refused: does accept() run in " +
			"a loop? did the program end (a crash)?"},
	cannotConnect: {"it could not be reached in time",
		"connecting took longer than the time limit: the server's " +
			"queue of waiting connections is full while it is " +
			"busy elsewhere"},
	refusedOnce: {"it refused a connection",
		"the server refused a connection, then took the next ones"},
	fewerReplies: {"it answers fewer lines than it is sent",
		"lines that arrive together, in one read, must each get a " +
			"reply, in order"},
	outOfOrder: {"its replies come back in another order",
		"replies to pipelined lines must come in the order of the " +
			"requests"},
	notClosedLong: {"it does not close after a line over 1 KiB",
		`after "E\n" for a line over 1 KiB the server must close ` +
			`the connection`},
	moreReplies: {"it sends more than one reply to a line",
		"one line, one reply"},
	answersOnce: {"it answers once, then neither answers nor closes",
		"a one-shot server closes the connection after its reply; " +
			"a persistent one answers every line"},
	unexpected: {"it did something unexpected",
		"see the cases' lines"},
}

// describe says, in words, what came back instead of c.Want, and why
// in the student's terms: x is what happened on the connection, limit
// the time it had.
func describe(c Case, x exchange, limit time.Duration) (string, cause) {
	got := string(x.got)

	// Before the request was complete.
	if x.early != "" {
		sent := quote(x.early)
		after := sent + ", before the rest of the line"
		switch {
		case got != "":
			return "replied " + brief(got) + " to " + sent +
				" alone, before the rest of the line", pieceAsRequest
		case wasReset(x.err) || errors.Is(x.err, syscall.EPIPE):
			return "the connection was reset after " + after,
				closedMidRequest
		case errors.Is(x.err, io.EOF):
			return "the connection closed after " + after,
				closedMidRequest
		}
		return fmt.Sprintf("after %s, an error: %v", sent,
			reason(x.err)), unexpected
	}

	// How the reading ended.
	var ending string
	switch {
	case x.err == nil:
	case timedOut(x.err):
		ending = fmt.Sprintf("nothing within %v", limit)
		if got == "" {
			return "no reply within " + limit.String(), noReply
		}
	case errors.Is(x.err, io.EOF):
		ending = "the connection closed"
		if got == "" {
			return "the connection closed without a reply",
				closedNoReply
		}
	case wasReset(x.err) || errors.Is(x.err, syscall.EPIPE):
		ending = "the connection was reset"
		if got == "" {
			return "the connection was reset without a reply",
				resetNoReply
		}
	default:
		return fmt.Sprintf("got %s, then an error: %v", brief(got),
			reason(x.err)), unexpected
	}

	text := "got " + mismatch(x.got, c.Want)
	if ending != "" {
		text = fmt.Sprintf("got %s, then %s", brief(got), ending)
	}
	return text, classify(got, c.Want)
}

// classify names what is wrong with the replies got, where want was
// asked for: the first thing that differs decides.
func classify(got, want string) cause {
	// "T" for "T\n": the reply lacks its newline.
	if !strings.Contains(got, "\n") && got != "" &&
		strings.HasPrefix(strings.ReplaceAll(want, "\n", ""), got) {
		return noNewline
	}
	if strings.Contains(got, "\r\n") && strings.HasPrefix(
		strings.ReplaceAll(want, "\n", "\r\n"), got) {
		return crlfReplies
	}

	gotLines := strings.SplitAfter(got, "\n")
	wantLines := strings.SplitAfter(want, "\n")
	// The last element is what follows the last "\n": "" when
	// the replies end with one.
	partial := gotLines[len(gotLines)-1]
	gotLines = gotLines[:len(gotLines)-1]
	wantLines = wantLines[:len(wantLines)-1]

	for _, line := range gotLines {
		if line != "T\n" && line != "F\n" && line != "E\n" {
			return badFormat
		}
	}
	if len(gotLines) == len(wantLines) && len(gotLines) > 1 &&
		sameLines(gotLines, wantLines) {
		return outOfOrder
	}
	for i, line := range gotLines {
		if i >= len(wantLines) {
			return moreReplies
		}
		if line != wantLines[i] {
			return verdictCause(wantLines[i], line)
		}
	}
	switch {
	case partial != "" && strings.HasPrefix(
		strings.ReplaceAll(strings.Join(wantLines[len(gotLines):], ""),
			"\n", ""), partial):
		return noNewline
	case partial != "":
		return badFormat
	case len(gotLines) < len(wantLines):
		return fewerReplies
	}
	return unexpected
}

// verdictCause names a wrong verdict: got where want was right.
func verdictCause(want, got string) cause {
	switch {
	case want == "F\n" && got == "T\n":
		return compositeAsPrime
	case want == "T\n" && got == "F\n":
		return primeAsComposite
	case want == "E\n":
		return acceptsNonInteger
	}
	return refusesInteger
}

// sameLines reports whether a and b hold the same lines, in any order.
func sameLines(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// diagnose looks at the results together, in the order they ran, and
// names what single results cannot: a server that stopped answering
// for good, or one that was only slow on the big numbers.
func diagnose(results []Result) {
	// Stopped listening: the connections that were waiting in the
	// server's queue when it stopped were reset or closed unanswered,
	// just before the refusals began or among them. They belong to
	// the stop.
	for first, r := range results {
		if r.cause != stoppedListening {
			continue
		}
		for i := first - 1; i >= 0 && diedWith(results[i]); i-- {
			results[i].cause = stoppedListening
		}
		for i := first + 1; i < len(results); i++ {
			if diedWith(results[i]) {
				results[i].cause = stoppedListening
			}
		}
		break
	}

	// Stuck: from some case on, nothing was answered, the last
	// case included. A few cases that started before it (the probe
	// runs up to maxConns at once) may have passed after it.
	for start := range results {
		if !stuck(results[start:]) {
			continue
		}
		// From the first case on: it never replied at all.
		cause := stoppedAnswering
		if start == 0 && !slices.ContainsFunc(results,
			func(r Result) bool { return r.Passed }) {
			cause = neverReplies
		}
		for i := start; i < len(results); i++ {
			if !results[i].Passed {
				results[i].cause = cause
			}
		}
		break
	}

	// Slow: the big numbers went unanswered, and the server still
	// answered the small number asked again after them.
	last := results[len(results)-1]
	answersAfter := last.Passed && last.Name == askAgainName
	for i, r := range results {
		if r.cause == noReply && r.Category == BigNumbers &&
			answersAfter {
			results[i].cause = slowOnBigNumbers
		}
	}

	// Small requests unanswered, though others like them were
	// answered: a server busy elsewhere, or one that loops on
	// these inputs.
	answered := false
	for _, r := range results {
		if r.Passed && r.Category != BigNumbers {
			answered = true
		}
	}
	for i, r := range results {
		if r.cause == noReply && r.Category != BigNumbers &&
			answered {
			results[i].cause = leftUnanswered
		}
	}
}

// diedWith reports whether a case failed as the connections waiting
// for a server that stops listening fail.
func diedWith(r Result) bool {
	switch r.cause {
	case resetNoReply, closedNoReply, noReply, cannotConnect:
		return !r.Passed
	}
	return false
}

// askAgainName is the name of the last case, which asks a small
// number after the big ones.
const askAgainName = "still answers after the big numbers"

// stuck reports whether results, the last ones of a run, show a
// server that stopped answering at the first of them. The first must
// be a plain time-out: a server that serves one client at a time, or
// waits for a "\n", may answer again afterwards.
func stuck(results []Result) bool {
	if len(results) < 2 || !unanswered(results[len(results)-1]) {
		return false
	}
	if first := results[0].cause; first != noReply &&
		first != cannotConnect {
		return false
	}
	// Within the run, a connection the client ended may end with
	// no reply too.
	passed := 0
	for _, r := range results {
		switch {
		case r.Passed:
			passed++
		case !unanswered(r) && r.cause != closedNoReply:
			return false
		}
	}
	return passed < maxConns
}

// unanswered reports whether a case failed for want of any reply.
func unanswered(r Result) bool {
	switch r.cause {
	case noReply, cannotConnect, oneAtATime, noLineLimit:
		return true
	}
	return false
}

// mismatch shows a complete reply that differs from want. When there
// are many replies, it names the first that differs.
func mismatch(got []byte, want string) string {
	gotLines := strings.SplitAfter(string(got), "\n")
	wantLines := strings.SplitAfter(want, "\n")
	if len(wantLines) <= 2 {
		return brief(string(got))
	}
	replies := len(wantLines) - 1
	for i := range gotLines {
		if i >= replies {
			return fmt.Sprintf("%d replies, then %s", replies,
				brief(strings.Join(gotLines[i:], "")))
		}
		if gotLines[i] != wantLines[i] {
			return fmt.Sprintf("%s as reply %d of %d, want %s",
				quote(gotLines[i]), i+1, replies,
				quote(wantLines[i]))
		}
	}
	return brief(string(got))
}
