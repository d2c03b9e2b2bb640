package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"workbook/prime"
)

// bytesAndRunes: a Go string holds bytes, any bytes; text in Go
// source is written in UTF-8, where "ú" takes two of them. So a byte
// count is not a character count, and an index picks a byte. A rune
// is one Unicode code point, which is not always one character as a
// reader sees it: "ú" can also be "u" followed by a combining accent.
func bytesAndRunes(out io.Writer) error {
	word := "número"
	fmt.Fprintf(out, "word := %q\n", word)
	fmt.Fprintf(out, "  len(word)                    = %d (bytes)\n", len(word))
	fmt.Fprintf(out, "  utf8.RuneCountInString(word) = %d (runes: code points)\n", utf8.RuneCountInString(word))
	fmt.Fprintf(out, "  []byte(word)                 = % x\n", []byte(word))
	fmt.Fprintf(out, "wrong: word[1] is a byte, half of ú:      %#x\n", word[1])
	fmt.Fprintf(out, "       word[:2] cuts ú in two:            %q\n", word[:2])
	fmt.Fprintf(out, "right: []rune(word)[1] is the code point: %q\n", []rune(word)[1])

	// The same word with "u" and U+0301, the combining acute
	// accent: it looks the same, and has one rune more.
	combined := "nu\u0301mero"
	fmt.Fprintf(out, "but:   %+q prints as %s and has %d runes\n", combined, combined, utf8.RuneCountInString(combined))

	// A string may also hold bytes that are not UTF-8 at all.
	raw := string([]byte{0xff, '1', '7'})
	fmt.Fprintf(out, "and:   a string can hold any bytes: %q, valid UTF-8: %v\n", raw, utf8.ValidString(raw))
	return nil
}

// printVerbs: a client can send any bytes, terminal escape sequences
// included. Printed with %s they reach the terminal, which obeys
// them; %q and %x show them instead.
func printVerbs(out io.Writer) error {
	// ESC [7m turns on reverse video; ESC [0m turns it off. A
	// harmless sequence, but "clear the screen" would work too.
	sent := []byte("\x1b[7mHELLO\x1b[0m\n")
	received, err := sendOver(sent)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "a client sent a request with escape sequences")
	fmt.Fprintf(out, "wrong: %%s  hands them to your terminal:  %s",
		received)
	fmt.Fprintf(out, "right: %%q  shows each byte:             %q\n",
		received)
	fmt.Fprintf(out, "       %% x shows them in hex:            % x\n",
		received)
	return nil
}

// cp1252: text becomes bytes through an encoding. The source text's
// client has a comment "#cp1252", the Windows encoding, where "ú" is
// one byte, not UTF-8's two. A reader expecting one gets garbage
// from the other.
func cp1252(out io.Writer) error {
	word := "número"
	asUTF8 := []byte(word)
	asCP1252, err := encodeCP1252(word)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%q as UTF-8:        % x (%d bytes)\n",
		word, asUTF8, len(asUTF8))
	fmt.Fprintf(out, "%q as Windows-1252: % x (%d bytes)\n",
		word, asCP1252, len(asCP1252))
	fmt.Fprintf(out, "wrong: Windows-1252 bytes read as UTF-8: %s (valid UTF-8: %v)\n",
		strings.ToValidUTF8(string(asCP1252), "\uFFFD"),
		utf8.Valid(asCP1252))
	fmt.Fprintf(out, "wrong: UTF-8 bytes read as Windows-1252: %s\n",
		decodeCP1252(asUTF8))
	fmt.Fprintf(out, "right: both sides agree on UTF-8:         %s\n",
		asUTF8)
	return nil
}

// encodeCP1252 encodes text as Windows-1252, for the characters that
// this demo needs: ASCII and the Latin-1 letters (U+00A0 to U+00FF),
// which Windows-1252 stores as one byte of the same value.
func encodeCP1252(text string) ([]byte, error) {
	var encoded []byte
	for _, r := range text {
		if r >= 0x80 && (r < 0xa0 || r > 0xff) {
			return nil, fmt.Errorf("%q is not in this small Windows-1252 table", r)
		}
		encoded = append(encoded, byte(r))
	}
	return encoded, nil
}

// decodeCP1252 is the reverse: each byte is one character.
func decodeCP1252(encoded []byte) string {
	runes := make([]rune, len(encoded))
	for i, b := range encoded {
		runes[i] = rune(b)
	}
	return string(runes)
}

// runeVersusItoa: converting a number to a string. string(rune(17))
// is the character whose code point is 17, a control character;
// strconv.Itoa(17) is the digits "17". Only the digits are a request.
func runeVersusItoa(out io.Writer) error {
	n := 17
	wrong := string(rune(n)) + "\n"
	right := strconv.Itoa(n) + "\n"
	fmt.Fprintf(out, "n := %d\n", n)
	fmt.Fprintf(out, "wrong: string(rune(n)) = %q, the server says %q\n",
		wrong, prime.Judge([]byte(wrong)).Reply())
	fmt.Fprintf(out, "right: strconv.Itoa(n) = %q, the server says %q\n",
		right, prime.Judge([]byte(right)).Reply())
	fmt.Fprintf(out, "n = 65: string(rune(n)) = %q, strconv.Itoa(n) = %q\n",
		string(rune(65)), strconv.Itoa(65))
	return nil
}

// telnetCRLF: telnet, and many Windows programs, end a line with
// "\r\n". Code that only removes "\n" leaves a "\r" that makes the
// number unreadable.
func telnetCRLF(out io.Writer) error {
	received, err := sendOver([]byte("17\r\n"))
	if err != nil {
		return err
	}
	line := string(received)
	fmt.Fprintf(out, "telnet sent %q\n", line)

	_, err = strconv.Atoi(strings.TrimSuffix(line, "\n"))
	fmt.Fprintf(out, "wrong: strconv.Atoi(strings.TrimSuffix(line, \"\\n\")):\n       %v\n", err)

	n, err := strconv.Atoi(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "right: strconv.Atoi(strings.TrimRight(line, \"\\r\\n\")) = %d\n", n)
	fmt.Fprintf(out, "       prime.Judge accepts both endings: %q\n",
		prime.Judge(received).Reply())
	return nil
}
