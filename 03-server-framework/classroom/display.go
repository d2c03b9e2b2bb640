package classroom

import (
	"strconv"
	"unicode/utf8"
)

// How much of a request the screen and the log show: a bounded
// prefix, quoted, then the request's size. A 1,020-byte line of NULs
// would otherwise become 4,080 characters on the projector.
const (
	shownBytes  = 40 // at most this much of the request
	shownQuoted = 64 // and at most this long once quoted
)

// appendRequest appends line to dst as the screen and the log show
// it: quoted with %+q, so that control bytes, escape sequences and
// every non-ASCII rune (a look-alike quote, a combining character)
// appear as escapes, never raw. A long line is cut, and its size
// said. tooLong means line is only the first maxLine bytes of a
// longer line (ReadLine's ErrLineTooLong).
func appendRequest(dst, line []byte, tooLong bool, maxLine int) []byte {
	if !tooLong && len(line) <= shownBytes {
		quoted := strconv.AppendQuoteToASCII(dst, string(line))
		if len(quoted)-len(dst) <= shownQuoted+2 {
			return quoted
		}
	}

	// Too long to show whole: find the longest prefix, up to
	// shownBytes, whose quoted form fits.
	end := min(len(line), shownBytes)
	for {
		end = runeStart(line, end)
		quoted := strconv.AppendQuoteToASCII(dst, string(line[:end]))
		if len(quoted)-len(dst) <= shownQuoted+2 || end == 0 {
			dst = append(quoted, "..."...)
			break
		}
		end /= 2
	}
	if tooLong {
		dst = append(dst, " (no newline in "...)
		dst = appendThousands(dst, int64(maxLine))
		return append(dst, " bytes)"...)
	}
	dst = append(dst, " ("...)
	dst = appendThousands(dst, int64(len(line)))
	return append(dst, " bytes)"...)
}

// runeStart moves end back to the start of a rune, so that a cut
// never splits one (up to 3 bytes back: a rune is at most 4).
func runeStart(line []byte, end int) int {
	for back := 0; back < utf8.UTFMax-1; back++ {
		if end == 0 || end >= len(line) || utf8.RuneStart(line[end]) {
			break
		}
		end--
	}
	return end
}

// appendThousands appends n with commas between thousands: 48,213.
func appendThousands(dst []byte, n int64) []byte {
	digits := strconv.AppendInt(nil, n, 10)
	if n < 0 {
		dst = append(dst, '-')
		digits = digits[1:]
	}
	for i, digit := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, digit)
	}
	return dst
}

// thousands is n with commas between thousands, as a string.
func thousands(n int64) string {
	return string(appendThousands(nil, n))
}
