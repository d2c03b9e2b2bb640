// Package testkit holds the helpers the workbook's own tests share.
// It has two jobs: keeping each README's transcripts equal to what
// the programs really print (CheckTranscript, Mask), and starting a
// chapter's server command for a test and stopping it (StartServer).
// It is internal: learners' code never imports it.
package testkit

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// update rewrites the transcripts instead of comparing them:
//
//	go test ./01-raw-socket -update
var update = flag.Bool("update", false,
	"rewrite README transcripts from the programs' output")

// Variable parts of a transcript. Only ports and durations change
// from run to run; everything else must match to the byte.
var (
	portPattern     = regexp.MustCompile(`(127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):\d+`)
	durationPattern = regexp.MustCompile(
		`\b\d+(\.\d+)?(ns|µs|us|ms|s)\b`)
)

// Mask replaces what varies between runs, ports and durations, by
// fixed placeholders, and shows control characters (ESC, NUL...) as
// visible symbols (␛, ␀) so a README can hold them.
func Mask(output string) string {
	output = portPattern.ReplaceAllString(output, "$1:PORT")
	output = durationPattern.ReplaceAllString(output, "DURATION")
	return showControls(output)
}

// showControls turns each C0 control character except newline and
// tab into its Unicode "control picture": ESC becomes ␛ (U+241B).
func showControls(text string) string {
	var out strings.Builder
	for _, r := range text {
		if r < 0x20 && r != '\n' && r != '\t' {
			r += 0x2400
		}
		out.WriteRune(r)
	}
	return out.String()
}

// CheckTranscript fails the test unless the README at readmePath has
// a block marked <!-- transcript: name --> holding output, masked.
// With -update it rewrites that block instead.
//
// In the README the block looks like this:
//
//	<!-- transcript: demo -->
//	```text
//	...the program's output...
//	```
func CheckTranscript(t testing.TB, readmePath, name, output string) {
	t.Helper()
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatalf("reading %s: %v", readmePath, err)
	}
	// Git on Windows may check the README out with \r\n.
	readme = bytes.ReplaceAll(readme, []byte("\r\n"), []byte("\n"))

	marker := fmt.Sprintf("<!-- transcript: %s -->\n```text\n", name)
	start := bytes.Index(readme, []byte(marker))
	if start < 0 {
		t.Fatalf("%s has no block marked %q", readmePath, marker)
	}
	start += len(marker)
	length := bytes.Index(readme[start:], []byte("```\n"))
	if length < 0 {
		t.Fatalf("%s: block %q is not closed", readmePath, name)
	}
	got := string(readme[start : start+length])
	want := Mask(output)

	if *update {
		updated := string(readme[:start]) + want +
			string(readme[start+length:])
		err := os.WriteFile(readmePath, []byte(updated), 0o644)
		if err != nil {
			t.Fatalf("updating %s: %v", readmePath, err)
		}
		return
	}
	if got != want {
		t.Errorf("%s, transcript %q differs from the program's "+
			"output (run the test with -update to rewrite it)\n"+
			"README:\n%s\nprogram:\n%s", readmePath, name, got, want)
	}
}
