// Package exercisetest decides whether an exercise's tests run: not
// while the learner's file is still the stub as shipped, so that
// `go test ./...` passes on a fresh clone; always once it has changed.
package exercisetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// StrictEnv, set to 1, runs the tests even on an untouched stub. The
// runner and CI set it: for them, a stub is simply not done.
const StrictEnv = "WORKBOOK_STRICT"

// Start skips the calling test while file, in the exercise's
// directory, is identical to its pristine copy in .meta/stub/.
func Start(t *testing.T, file string) {
	t.Helper()
	if os.Getenv(StrictEnv) == "1" {
		return
	}
	mine, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reading your file: %v", err)
	}
	stub, err := os.ReadFile(filepath.Join(".meta", "stub", file))
	if err != nil {
		t.Fatalf("reading the stub as shipped: %v", err)
	}
	if Same(mine, stub) {
		t.Skipf("not started: edit %s, then run "+
			"`go run ./exercises check %s`", file, number())
	}
}

// Same reports whether two versions of a file are the same text to a
// reader's eye: a byte-order mark, the line endings (\r\n or \r, as
// git or an editor on Windows may write them) and the newlines at the
// end do not count.
func Same(a, b []byte) bool {
	return bytes.Equal(visible(a), visible(b))
}

// visible is a file's text without what an editor does not show.
func visible(text []byte) []byte {
	text = bytes.TrimPrefix(text, []byte("\uFEFF"))
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	text = bytes.ReplaceAll(text, []byte("\r"), []byte("\n"))
	return bytes.TrimRight(text, "\n")
}

// number is the exercise's number, from its directory's name:
// "01-isprime" is 1.
func number() string {
	dir, err := os.Getwd()
	if err != nil {
		return "N"
	}
	name := filepath.Base(dir)
	digits, _, _ := strings.Cut(name, "-")
	return strings.TrimLeft(digits, "0")
}

// SeedEnv, set to a number, makes Random repeat the random inputs of
// an earlier run: a failing test prints the seed it used.
const SeedEnv = "WORKBOOK_SEED"

// Random returns a source of random test inputs, so that no table
// copied from the test can pass it. Its seed is new for every run,
// unless SeedEnv gives one; if the test fails, the seed is printed,
// with the command that repeats the same inputs.
func Random(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(SeedEnv); s != "" {
		parsed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q is not a seed: want a number", SeedEnv, s)
		}
		seed = parsed
	}
	t.Cleanup(func() {
		t.Helper()
		if t.Failed() {
			t.Logf("random inputs from seed %d: %s=%d repeats them",
				seed, SeedEnv, seed)
		}
	})
	return rand.New(rand.NewPCG(seed, seed))
}

// Quote shows s as Go would write it, its middle left out past 40
// bytes, so that a test's name or message stays on one short line.
// The cuts fall between characters, never inside one.
func Quote(s string) string {
	const most, head, tail = 40, 24, 12
	if len(s) <= most {
		return strconv.Quote(s)
	}
	end := head
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	start := len(s) - tail
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return fmt.Sprintf("%q...%q (%d bytes)",
		s[:end], s[start:], len(s))
}

// FirstDifference describes the first place where got and want
// differ, calling each item a noun ("line"), or returns "" when they
// are equal: one line, however long the lists.
func FirstDifference(got, want []string, noun string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("%s %d is %s, want %s",
				noun, i+1, Quote(got[i]), Quote(want[i]))
		}
	}
	if len(got) != len(want) {
		if len(got) == 1 {
			return fmt.Sprintf("1 %s, want %d", noun, len(want))
		}
		return fmt.Sprintf("%d %ss, want %d", len(got), noun, len(want))
	}
	return ""
}
