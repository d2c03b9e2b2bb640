package prime

import (
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// protocolExamples are the requests that the top README's protocol
// section names, with the verdict each must get. They also seed the
// fuzz target.
var protocolExamples = []struct {
	request string
	want    Verdict
	why     string
}{
	{"17\n", Prime, "a plain request"},
	{"17", Prime, "no terminator: chapter 01 reads raw chunks"},
	{"17\r\n", Prime, "telnet and Windows clients end with \\r\\n"},
	{" \t17 \t\n", Prime, "spaces and tabs around the number"},
	{"+17\n", Prime, "one leading plus"},
	{"-17\n", NotPrime, "negative numbers are not prime"},
	{"007\n", Prime, "leading zeros: 007 is 7"},
	{"-0\n", NotPrime, "minus zero is zero"},
	{"0\n", NotPrime, "zero is not prime"},
	{"1\n", NotPrime, "one is not prime"},
	{"4\n", NotPrime, "the source text's second number"},
	{"1125899906842624\n", NotPrime, "2**50"},
	{"1125899906842623\n", NotPrime, "2**50-1"},
	{"18446744073709551557\n", Prime, "largest prime below 2^64"},
	{"170141183460469231731687303715884105727\n", Prime,
		"2^127-1 is an integer like any other"},
	{strings.Repeat("0", 99) + "7\n", Prime, "100 digits, zeros too"},
	{strings.Repeat("9", 100) + "\n", NotPrime, "100 digits exactly"},
	{strings.Repeat("1", 101) + "\n", Invalid, "more than 100 digits"},
	{"\n", Invalid, "an empty line"},
	{"", Invalid, "nothing at all"},
	{"   \n", Invalid, "only spaces"},
	{"4j\n", Invalid, "the source text's complex number"},
	{"0x11\n", Invalid, "hexadecimal"},
	{"1e3\n", Invalid, "exponent notation"},
	{"1_000\n", Invalid, "Go's digit separators"},
	{"3.0\n", Invalid, "a decimal point"},
	{"\u0663\n", Invalid, "Arabic-Indic digit three"},
	{"1\x007\n", Invalid, "a NUL byte"},
	{"\xff17\n", Invalid, "invalid UTF-8"},
	{"+-5\n", Invalid, "two signs"},
	{"- 5\n", Invalid, "a space after the sign"},
	{"1 7\n", Invalid, "a space inside the number"},
	{"4\n5\n", Invalid, "two lines in one request"},
	{"17\n\n", Invalid, "two terminators"},
	{"17\r", Invalid, "a \\r with no \\n after it is not a terminator"},
	{"17\r\r\n", Invalid, "two \\r before the \\n"},
	{"17\r \n", Invalid, "a \\r before trailing spaces"},
	{"\x1b[2J17\n", Invalid, "a terminal escape sequence"},
}

func TestJudge(t *testing.T) {
	for _, c := range protocolExamples {
		t.Run(c.why, func(t *testing.T) {
			got := Judge([]byte(c.request))
			assert.Equal(t, c.want, got,
				"Judge(%q) = %c, want %c", c.request, got, c.want)
		})
	}
}

func TestVerdictReplyAndString(t *testing.T) {
	assert.Equal(t, "T\n", string(Prime.Reply()))
	assert.Equal(t, "F\n", string(NotPrime.Reply()))
	assert.Equal(t, "E\n", string(Invalid.Reply()))
	assert.Equal(t, "prime", Prime.String())
	assert.Equal(t, "not prime", NotPrime.String())
	assert.Equal(t, "not an integer", Invalid.String())
	assert.Equal(t, "unknown verdict X", Verdict('X').String())
}

func TestJudgeDoesNotAllocateForSmallNumbers(t *testing.T) {
	request := []byte("9223372036854775783\r\n")
	allocations := testing.AllocsPerRun(100, func() {
		Judge(request)
	})
	assert.Zero(t, allocations)
}

// wellFormed is the protocol's request grammar (the top README's
// "The protocol" section), written a second,
// independent way: the fuzz target checks Judge against it.
var wellFormed = regexp.MustCompile(
	`^[ \t]*([+-]?)([0-9]{1,100})[ \t]*(\r\n|\n)?$`)

func FuzzJudge(f *testing.F) {
	for _, c := range protocolExamples {
		f.Add([]byte(c.request))
	}
	f.Fuzz(func(t *testing.T, request []byte) {
		got := Judge(request)

		match := wellFormed.FindSubmatch(request)
		if match == nil {
			if got != Invalid {
				t.Fatalf("Judge(%q) = %c, want E", request, got)
			}
			return
		}
		n, _ := new(big.Int).SetString(string(match[2]), 10)
		want := NotPrime
		if string(match[1]) != "-" && n.ProbablyPrime(20) {
			want = Prime
		}
		if got != want {
			t.Fatalf("Judge(%q) = %c, want %c", request, got, want)
		}
	})
}
