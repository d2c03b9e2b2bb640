package classroom

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestRequestsAreShownEscapedAndBounded(t *testing.T) {
	for _, c := range []struct {
		line    string
		tooLong bool
		shown   string
	}{
		{"97\n", false, `"97\n"`},
		{"17\r\n", false, `"17\r\n"`},
		{"\x1b[2J\x1b[31mhi\a\n", false, `"\x1b[2J\x1b[31mhi\a\n"`},
		// Look-alike quote and backslash, padded to pose as
		// another student's line: escaped, so they cannot.
		{"7\n\uff02 127.0.0.1:5555 sent \uff3c\n", false, `"7\n\uff02 127.0.0.1:5555 sent \uff3c\n"`},
		// Combining marks (zalgo) and a right-to-left override.
		{"e\u0301\u0489\u202e\n", false, `"e\u0301\u0489\u202e\n"`},
		{"\xff\xfe\n", false, `"\xff\xfe\n"`},
		// 1,020 bytes of NUL: a prefix, and the size.
		{strings.Repeat("\x00", 1019) + "\n", false, `"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"... (1,020 bytes)`},
		{strings.Repeat("1", 45) + "\n", false, `"1111111111111111111111111111111111111111"... (46 bytes)`},
		// A cut never splits a rune.
		{strings.Repeat("é", 30) + "\n", false, `"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"... (61 bytes)`},
		{strings.Repeat("7", 1024), true, `"7777777777777777777777777777777777777777"... (no newline in 1,024 bytes)`},
	} {
		got := string(appendRequest(nil, []byte(c.line), c.tooLong, 1024))
		assert.Equal(t, c.shown, got, "%+q", c.line)
	}
}

func TestEveryShownRequestIsShortPrintableASCII(t *testing.T) {
	// Each byte value, and each of a few hostile runes, repeated
	// to the longest line.
	var lines []string
	for b := range 256 {
		lines = append(lines, strings.Repeat(string([]byte{byte(b)}), 1023)+"\n")
	}
	for _, r := range []rune{'\uff02', '\u0489', '\u202e', utf8.RuneError, '\U0001F600'} {
		lines = append(lines, strings.Repeat(string(r), 1000))
	}
	for _, line := range lines {
		shown := string(appendRequest(nil, []byte(line), false, 65536))
		assert.LessOrEqual(t, len(shown), 100, "%+q", line[:10])
		assert.Regexp(t, `^[ -~]*$`, shown)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 48213: "48,213",
		1234567: "1,234,567", -1024: "-1,024",
	} {
		assert.Equal(t, want, thousands(n))
	}
}
