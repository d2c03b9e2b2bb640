package framing

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"workbook/exercises/internal/exercisetest"
)

// feedAll feeds chunks one after the other and collects the lines.
// Like a server's conn.Read loop, it reads every chunk into the same
// buffer, and writes over that buffer once Feed has returned: Feed
// must copy what it keeps, never keep a slice of the chunk.
func feedAll(s *Splitter, chunks []string) ([]string, error) {
	buffer := make([]byte, 4096)
	var all []string
	for _, chunk := range chunks {
		n := copy(buffer, chunk)
		lines, err := s.Feed(buffer[:n])
		copy(buffer, bytes.Repeat([]byte("#"), len(buffer)))
		all = append(all, lines...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// overwritten explains a '#' in lines: feedAll writes '#' over its
// buffer after each Feed, so a '#' means Feed kept the chunk itself.
func overwritten(lines []string) string {
	for _, line := range lines {
		if strings.Contains(line, "#") {
			return " ('#' is what the caller wrote over its " +
				"buffer after Feed returned: keep a copy of the " +
				"chunk, not the chunk)"
		}
	}
	return ""
}

func TestChunkings(t *testing.T) {
	exercisetest.Start(t, "splitter.go")
	cases := []struct {
		name   string
		chunks []string
		want   []string
	}{
		{"one line, one chunk", []string{"17\n"}, []string{"17\n"}},
		{"a line split across chunks", []string{"1", "7", "\n"},
			[]string{"17\n"}},
		{"several lines in one chunk", []string{"4\n5\n17\n"},
			[]string{"4\n", "5\n", "17\n"}},
		{"a line ends a chunk, the next starts one",
			[]string{"4\n5", "\n6\n"}, []string{"4\n", "5\n", "6\n"}},
		{"an unfinished line is kept", []string{"4\n5"},
			[]string{"4\n"}},
		{"empty chunks change nothing", []string{"", "4", "", "\n"},
			[]string{"4\n"}},
		{"empty lines are lines", []string{"\n\n"},
			[]string{"\n", "\n"}},
		{"the start of a line kept while the buffer is reused",
			[]string{"12", "34", "5\n6", "7\n"},
			[]string{"12345\n", "67\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := feedAll(&Splitter{MaxLine: 1024}, c.chunks)
			if err != nil {
				t.Fatalf("feeding %q: %v", c.chunks, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("feeding %q gave %q, want %q%s",
					c.chunks, got, c.want, overwritten(got))
			}
		})
	}
}

func TestRandomChunkings(t *testing.T) {
	exercisetest.Start(t, "splitter.go")
	random := exercisetest.Random(t)
	// 300 lines of 1 to 64 bytes, '\n' included.
	var lines []string
	for range 300 {
		line := make([]byte, random.IntN(64))
		for i := range line {
			const alphabet = "0123456789 \t\r-+x"
			line[i] = alphabet[random.IntN(len(alphabet))]
		}
		lines = append(lines, string(line)+"\n")
	}
	stream := strings.Join(lines, "")
	for round := range 200 {
		// Cut the stream at random places.
		var chunks []string
		for rest := stream; rest != ""; {
			size := min(len(rest), random.IntN(100))
			chunks = append(chunks, rest[:size])
			rest = rest[size:]
		}
		got, err := feedAll(&Splitter{MaxLine: 64}, chunks)
		if err != nil {
			t.Fatalf("round %d, the stream cut into %d chunks: %v, "+
				"but no line is longer than MaxLine (64 bytes, "+
				"'\\n' included)", round, len(chunks), err)
		}
		if diff := exercisetest.FirstDifference(got, lines, "line"); diff != "" {
			t.Fatalf("round %d, the stream cut into %d chunks: %s%s",
				round, len(chunks), diff, overwritten(got))
		}
	}
}

func TestALineTooLong(t *testing.T) {
	exercisetest.Start(t, "splitter.go")
	cases := []struct {
		name   string
		chunks []string
		want   []string
	}{
		{"in one chunk", []string{"4\n" + strings.Repeat("9", 20)},
			[]string{"4\n"}},
		{"across chunks", []string{"4\n99999", "99999", "99999",
			"99999\n"}, []string{"4\n"}},
		{"its newline one byte too late",
			[]string{strings.Repeat("9", 10) + "\n"}, nil},
		{"its newline one byte too late, in the next chunk",
			[]string{strings.Repeat("9", 10), "\n"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := feedAll(&Splitter{MaxLine: 10}, c.chunks)
			if !errors.Is(err, ErrLineTooLong) {
				t.Errorf("feeding %q with MaxLine 10: error %v, "+
					"want ErrLineTooLong", c.chunks, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("feeding %q with MaxLine 10 gave lines %q, "+
					"want %q", c.chunks, got, c.want)
			}
		})
	}
}

// TestTheLimitCountsWhatIsKept feeds a line one byte at a time: the
// bytes kept from earlier chunks count toward the limit, so Feed
// must fail on the byte that goes past it, not later.
func TestTheLimitCountsWhatIsKept(t *testing.T) {
	exercisetest.Start(t, "splitter.go")
	s := &Splitter{MaxLine: 10}
	for n := 1; n <= 11; n++ {
		_, err := feedAll(s, []string{"9"})
		switch {
		case n <= 10 && err != nil:
			t.Fatalf("after %d bytes with no '\\n' and MaxLine 10, "+
				"one byte per Feed: %v, want no error yet", n, err)
		case n == 11 && !errors.Is(err, ErrLineTooLong):
			t.Fatalf("after 11 bytes with no '\\n' and MaxLine 10, "+
				"one byte per Feed: error %v, want ErrLineTooLong "+
				"(count the bytes kept from earlier chunks)", err)
		}
	}
}

func TestALineOfExactlyMaxLineIsFine(t *testing.T) {
	exercisetest.Start(t, "splitter.go")
	line := strings.Repeat("9", 9) + "\n"
	for _, chunks := range [][]string{{line}, {line[:9], line[9:]}} {
		t.Run(fmt.Sprintf("%d chunks", len(chunks)), func(t *testing.T) {
			got, err := feedAll(&Splitter{MaxLine: 10}, chunks)
			if err != nil || len(got) != 1 || got[0] != line {
				t.Errorf("feeding %q with MaxLine 10 = %q, %v; "+
					"want the line", chunks, got, err)
			}
		})
	}
}
