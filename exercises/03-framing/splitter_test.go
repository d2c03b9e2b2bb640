package framing

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"workbook/exercises/internal/exercisetest"
)

// feedAll feeds chunks one after the other and collects the lines.
func feedAll(s *Splitter, chunks []string) ([]string, error) {
	var all []string
	for _, chunk := range chunks {
		lines, err := s.Feed([]byte(chunk))
		all = append(all, lines...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
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
	}
	for _, c := range cases {
		got, err := feedAll(&Splitter{MaxLine: 1024}, c.chunks)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: feeding %q gave %q, %v; want %q, nil",
				c.name, c.chunks, got, err, c.want)
		}
	}
}

func TestRandomChunkings(t *testing.T) {
	exercisetest.Start(t, "splitter.go")
	var lines []string
	for i := range 300 {
		lines = append(lines, strings.Repeat("7", i%40)+"\n")
	}
	stream := strings.Join(lines, "")
	random := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		// Cut the stream at random places.
		var chunks []string
		for rest := stream; rest != ""; {
			size := min(len(rest), random.IntN(50))
			chunks = append(chunks, rest[:size])
			rest = rest[size:]
		}
		got, err := feedAll(&Splitter{MaxLine: 64}, chunks)
		if err != nil || !slices.Equal(got, lines) {
			t.Fatalf("round %d: the lines came out wrong (%v): "+
				"chunks %q", round, err, chunks)
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
	}
	for _, c := range cases {
		got, err := feedAll(&Splitter{MaxLine: 10}, c.chunks)
		if !errors.Is(err, ErrLineTooLong) || !slices.Equal(got, c.want) {
			t.Errorf("%s: feeding %q gave %q, %v; want %q, "+
				"ErrLineTooLong", c.name, c.chunks, got, err, c.want)
		}
	}
}

func TestALineOfExactlyMaxLineIsFine(t *testing.T) {
	exercisetest.Start(t, "splitter.go")
	line := strings.Repeat("9", 9) + "\n"
	got, err := feedAll(&Splitter{MaxLine: 10}, []string{line})
	if err != nil || !slices.Equal(got, []string{line}) {
		t.Errorf("Feed(%q) with MaxLine 10 = %q, %v; want the line",
			line, got, err)
	}
}
