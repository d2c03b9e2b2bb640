package probe

import (
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// Result is what happened to one case. Request, Want and Got are
// quoted as Go's %+q does, so that control characters, invalid UTF-8
// and non-ASCII runes show as escapes, never raw.
type Result struct {
	// The raw strings are kept for the text output.
	request, want, got string

	Name    string `json:"name"`
	Request string `json:"request"`
	Want    string `json:"want"`
	Got     string `json:"got"`
	Passed  bool   `json:"passed"`
	// Problem says what went wrong, in words; empty if it passed.
	Problem string `json:"problem,omitempty"`
}

// Report is the whole probe's outcome: the -json output.
type Report struct {
	Server  string   `json:"server"`
	Kind    Kind     `json:"kind"`
	Timeout string   `json:"timeout"`
	Passed  int      `json:"passed"`
	Total   int      `json:"total"`
	Cases   []Result `json:"cases"`
}

// quote shows bytes as Go source would: "17\r\n", "\xff".
func quote(s string) string {
	return fmt.Sprintf("%+q", s)
}

// brief shows a string for one line of text: quoted, and when that is
// too long, its start and its end quoted, and its length. The JSON
// output keeps the whole string.
func brief(s string) string {
	const head, tail = 16, 8
	if len(s) <= head+tail+8 {
		return quote(s)
	}
	return fmt.Sprintf("%s...%s (%d bytes)", quote(s[:head]),
		quote(s[len(s)-tail:]), len(s))
}

// show is brief(raw), or quoted as it is when there is no raw string:
// the first case, which asks twice, has only the quoted form.
func show(raw, quoted string) string {
	if raw == "" {
		return quoted
	}
	return brief(raw)
}

// textWriter prints each result as one line, as soon as it is known.
type textWriter struct {
	out io.Writer
	// nameWidth aligns the requests in a column.
	nameWidth int
}

// line prints one result: ✓ or ✗, the case's name, the request, and
// the reply, or what was wanted and what happened instead.
func (w textWriter) line(r Result) {
	padding := w.nameWidth - utf8.RuneCountInString(r.Name)
	name := r.Name + fmt.Sprintf("%*s", max(padding, 0), "")
	if r.Passed {
		fmt.Fprintf(w.out, "✓ %s %s → %s\n", name,
			show(r.request, r.Request), show(r.got, r.Got))
		return
	}
	fmt.Fprintf(w.out, "✗ %s %s: want %s, %s\n", name,
		show(r.request, r.Request), show(r.want, r.Want), r.Problem)
}

// summary is the last line of the text output.
func summary(report Report) string {
	verdict := "a conforming " + string(report.Kind) + " server"
	switch {
	case report.Kind == Unknown:
		verdict = "could not tell one-shot from persistent"
	case report.Passed < report.Total:
		verdict = "a " + string(report.Kind) + " server, " +
			"not conforming"
	}
	return fmt.Sprintf("%d/%d passed: %s", report.Passed, report.Total,
		verdict)
}

// writeJSON prints the report as indented JSON.
func writeJSON(out io.Writer, report Report) error {
	encoder := json.NewEncoder(out)
	encoder.SetIndent("", "  ")
	return encoder.Encode(report)
}
