package parserequest

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
	"workbook/prime"
)

// check runs Reply(request) as a subtest named after the request, so
// that a panic says which request caused it.
func check(t *testing.T, request, want string) {
	t.Helper()
	t.Run(exercisetest.Quote(request), func(t *testing.T) {
		t.Helper()
		got := string(Reply([]byte(request)))
		if got != want {
			t.Errorf("Reply(%s) = %q, want %q",
				exercisetest.Quote(request), got, want)
		}
	})
}

func TestReply(t *testing.T) {
	exercisetest.Start(t, "reply.go")
	cases := []struct{ request, want string }{
		{"17\n", "T\n"},
		{"17\r\n", "T\n"},
		{"17", "T\n"},
		{" \t17\t \n", "T\n"},
		{"17 \r\n", "T\n"},
		{"+17\n", "T\n"},
		{"007\n", "T\n"},
		{"017\n", "T\n"},
		{"4\n", "F\n"},
		{"-17\n", "F\n"},
		{"\t-17\t\r\n", "F\n"},
		{"-0\n", "F\n"},
		{"0\n", "F\n"},
		{"1\n", "F\n"},
		{"1125899906842623\n", "F\n"},
		{"170141183460469231731687303715884105727\n", "T\n"},
		{"\n", "E\n"},
		{"", "E\n"},
		{"4j\n", "E\n"},
		{"0x11\n", "E\n"},
		{"0X11\n", "E\n"},
		{"0b101\n", "E\n"},
		{"0o17\n", "E\n"},
		{"1e3\n", "E\n"},
		{"1_000\n", "E\n"},
		{"1_7\n", "E\n"},
		{"3.0\n", "E\n"},
		{"\u0663\n", "E\n"},
		{"1\x007\n", "E\n"},
		{"\xff\n", "E\n"},
		{"+\n", "E\n"},
		{"-\n", "E\n"},
		{"+-5\n", "E\n"},
		{"--5\n", "E\n"},
		{"- 5\n", "E\n"},
		{"1 7\n", "E\n"},
		{"4\n5\n", "E\n"},
	}
	for _, c := range cases {
		check(t, c.request, c.want)
	}
}

// Only spaces and tabs may surround the number, and a '\r' belongs to
// the line's end only when '\n' follows it.
func TestOtherBlanksAreNotAccepted(t *testing.T) {
	exercisetest.Start(t, "reply.go")
	for _, request := range []string{
		"17\r",       // a '\r' with no '\n' after it
		"17\r\r\n",   // one '\r' too many
		"\r17\n",     // a '\r' before the number
		"17\r \n",    // a '\r' that is not just before '\n'
		"17\v\n",     // vertical tab
		"\f17\n",     // form feed
		"17\u00a0\n", // non-breaking space
		"\u00a017\n",
		"17\u0085\n", // next line, another Unicode space
		"17\n\n",     // a blank line after the request
		"17\r\n\r\n", // a blank line after the request
		"17\n \n",
	} {
		check(t, request, "E\n")
	}
}

// A request may have 100 digits, not counting its sign or the blanks
// around it; leading zeros are digits like the others.
func TestAtMost100Digits(t *testing.T) {
	exercisetest.Start(t, "reply.go")
	nines := strings.Repeat("9", 100)
	ones := strings.Repeat("1", 100)
	cases := []struct{ request, want string }{
		{nines + "\n", "F\n"},
		{"+" + nines + "\n", "F\n"},
		{"-" + ones + "\n", "F\n"},
		{strings.Repeat(" ", 200) + nines + "\t\t\n", "F\n"},
		{strings.Repeat("0", 99) + "7\n", "T\n"},
		{ones + "1\n", "E\n"},
		{"+" + ones + "1\n", "E\n"},
		{"-" + ones + "1\n", "E\n"},
		{strings.Repeat("0", 100) + "7\n", "E\n"},
	}
	for _, c := range cases {
		check(t, c.request, c.want)
	}
}

// TestAHugeRequestIsRefusedByItsLength sends requests far over 100
// digits. Turning digits into a number takes time that grows with
// the square of their count: 100 KB take milliseconds, 10 MB take
// minutes. So Reply must count the digits before it converts them.
func TestAHugeRequestIsRefusedByItsLength(t *testing.T) {
	exercisetest.Start(t, "reply.go")

	// First 100 KB, quick even to convert, but converting makes
	// a thousand allocations where counting makes none.
	long := []byte(strings.Repeat("7", 100<<10) + "\n")
	allocations := testing.AllocsPerRun(3, func() {
		if got := string(Reply(long)); got != "E\n" {
			t.Fatalf("Reply(100 KB of digits) = %q, want \"E\\n\"",
				got)
		}
	})
	if allocations > 20 {
		t.Fatalf("Reply(100 KB of digits) made %v allocations: it "+
			"converts the digits to a number before counting them; "+
			"check the length before converting (10 MB would take "+
			"minutes)", allocations)
	}

	// Then 10 MB, which Reply must refuse as fast. Counting takes
	// milliseconds at most; a conversion hidden somewhere would
	// take minutes, so the test waits 10 s, then says so.
	huge := []byte(strings.Repeat("7", 10<<20) + "\n")
	replied := make(chan string, 1)
	go func() { replied <- string(Reply(huge)) }()
	select {
	case got := <-replied:
		if got != "E\n" {
			t.Errorf("Reply(10 MB of digits) = %q, want \"E\\n\"",
				got)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("Reply(10 MB of digits) still working after 10 s: " +
			"check the length before converting")
	}
}

// TestRandomRequests builds requests no table can list in advance,
// numbers (primes among them) wrapped in blanks, signs and line ends
// both right and wrong, and checks each reply against the workbook's
// prime package.
func TestRandomRequests(t *testing.T) {
	exercisetest.Start(t, "reply.go")
	random := exercisetest.Random(t)
	pick := func(choices ...string) string {
		return choices[random.IntN(len(choices))]
	}
	for range 300 {
		blank := pick("", "", " ", "\t", " \t ")
		sign := pick("", "", "+", "-")
		end := pick("\n", "\n", "\r\n", "")
		number := randomNumber(random)
		// One request in three has one thing wrong with it.
		switch random.IntN(9) {
		case 0:
			blank = pick("\v", "\f", "\r", "\u00a0", "\u0085")
		case 1:
			sign = pick("+-", "--", "-+", "++")
		case 2:
			end = pick("\r", "\r\r\n", "\n\n", "\n\r\n", "\n7\n")
		}
		request := blank + sign + number + blank + end
		check(t, request, string(prime.Judge([]byte(request)).Reply()))
	}
}

// randomNumber returns the digits of a number of 1 to 101 digits, a
// prime half of the time, sometimes with leading zeros.
func randomNumber(random *rand.Rand) string {
	size := 1 + random.IntN(30)
	if random.IntN(4) == 0 {
		size = 98 + random.IntN(4)
	}
	digits := make([]byte, size)
	for i := range digits {
		digits[i] = byte('0' + random.IntN(10))
	}
	n, _ := new(big.Int).SetString(string(digits), 10)
	if random.IntN(2) == 0 {
		for !prime.IsPrimeBig(n) {
			n.Add(n, big.NewInt(1))
		}
	}
	zeros := ""
	if random.IntN(4) == 0 {
		zeros = strings.Repeat("0", random.IntN(3))
	}
	return zeros + n.String()
}
