// Package exercisetest decides whether an exercise's tests run: not
// while the learner's file is still the stub as shipped, so that
// `go test ./...` passes on a fresh clone; always once it has changed.
package exercisetest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
