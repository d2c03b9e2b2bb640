package probe

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Result is what happened to one case. Request, Want and Got are
// quoted as Go's %+q does, so that control characters, invalid UTF-8
// and non-ASCII runes show as escapes, never raw.
type Result struct {
	// The raw strings are kept for the text output.
	request, want, got string
	// took is how long the replies took to come.
	took time.Duration
	// notRun: the server had stopped listening before the case.
	notRun bool
	cause  cause

	Name     string   `json:"name"`
	Category Category `json:"category"`
	Request  string   `json:"request"`
	Want     string   `json:"want"`
	Got      string   `json:"got"`
	Passed   bool     `json:"passed"`
	// Problem says what went wrong, in words; empty if it passed.
	Problem string `json:"problem,omitempty"`
	// Cause is the problem's kind, in the student's terms, as the
	// summary groups the failures.
	Cause string `json:"cause,omitempty"`
}

// Report is the whole probe's outcome: the -json output.
type Report struct {
	Server  string `json:"server"`
	Kind    Kind   `json:"kind"`
	Timeout string `json:"timeout"`
	Passed  int    `json:"passed"`
	Total   int    `json:"total"`
	// Summary is the text output's last line, after "N/M passed: ".
	Summary    string    `json:"summary"`
	Categories []Score   `json:"categories"`
	Causes     []Finding `json:"causes,omitempty"`
	// Warnings say when the results may not be the code's alone:
	// a server still busy with an earlier run, say.
	Warnings []string `json:"warnings,omitempty"`
	Cases    []Result `json:"cases"`
}

// A Score is how many cases of a category passed.
type Score struct {
	Category Category `json:"category"`
	Passed   int      `json:"passed"`
	Total    int      `json:"total"`
}

// A Finding is one cause of failures, and the cases it explains.
type Finding struct {
	Cause   string   `json:"cause"`
	Meaning string   `json:"meaning"`
	Cases   []string `json:"cases"`
}

// conforms reports whether every case passed.
func (r Report) conforms() bool {
	return r.Total > 0 && r.Passed == r.Total
}

// finish fills in what the report says about the results together:
// the causes, the scores, the summary.
func (r *Report) finish() {
	diagnose(r.Cases)
	r.Total = len(r.Cases)
	r.Passed = 0
	found := map[cause]int{}
	for i := range r.Cases {
		c := &r.Cases[i]
		if c.Passed {
			r.Passed++
			continue
		}
		c.Cause = causes[c.cause].name
		at, seen := found[c.cause]
		if !seen {
			at = len(r.Causes)
			found[c.cause] = at
			r.Causes = append(r.Causes, Finding{
				Cause:   c.Cause,
				Meaning: meaning(c.cause, r.Cases),
			})
		}
		r.Causes[at].Cases = append(r.Causes[at].Cases, c.Name)
	}
	// What is wrong with the server's structure first: it explains
	// the rest, often.
	slices.SortStableFunc(r.Causes, func(a, b Finding) int {
		return cmp.Compare(rank(a.Cause), rank(b.Cause))
	})
	r.Categories = scores(r.Cases)
	r.Summary = summary(*r)
}

// meaning is what a cause means for the server's code, said more
// precisely when every case it explains tells more.
func meaning(c cause, results []Result) string {
	text := causes[c].meaning
	if c != closedNoReply && c != resetNoReply {
		return text
	}
	// Closed without a reply, and only ever to what is not an
	// integer: an exception in the handler, most likely.
	for _, r := range results {
		if r.cause == c && r.want != "E\n" {
			return text
		}
	}
	return text + ", and only to what is not an integer: an " +
		"exception in the handler?"
}

// scores counts the passed cases of each category.
func scores(results []Result) []Score {
	var all []Score
	for _, category := range Categories {
		score := Score{Category: category}
		for _, r := range results {
			if r.Category == category {
				score.Total++
				if r.Passed {
					score.Passed++
				}
			}
		}
		all = append(all, score)
	}
	return all
}

// summary is the last line's verdict: a conforming server, or what
// went wrong first, in the student's terms.
func summary(report Report) string {
	if report.conforms() {
		return "a conforming " + string(report.Kind) + " server"
	}
	server := "a " + string(report.Kind) + " server, not conforming"
	if report.Kind == Unknown {
		server = "not conforming"
	}
	if problem := firstProblem(report); problem != "" {
		return server + ": " + problem
	}
	return server
}

// firstProblem names the cause of the first case that failed, in
// the order they ran, and where it showed; a cause in the server's
// structure comes before any other, which it may explain.
func firstProblem(report Report) string {
	first := -1
	for i, r := range report.Cases {
		if r.Passed {
			continue
		}
		if first < 0 || (structural(r.cause) &&
			!structural(report.Cases[first].cause)) {
			first = i
		}
	}
	if first < 0 {
		return ""
	}
	r := report.Cases[first]
	text := causes[r.cause].name
	switch r.cause {
	case stoppedListening:
		return text + " (from " + r.Name + " on; the last case " +
			"answered: " + lastAnswered(report.Cases, r.Name) + ")"
	case stoppedAnswering:
		return text + " (from " + r.Name + " on)"
	case neverReplies:
		return text
	}
	return text + " (first: " + r.Name + ")"
}

// structural reports whether a cause is in the server's structure,
// how it serves connections and frames its replies, rather than in
// one reply: a server that answers the first piece of a request, say,
// gets wrong verdicts as a consequence, and the summary names the
// piece.
func structural(c cause) bool {
	switch c {
	case stoppedListening, neverReplies, stoppedAnswering,
		answersOnce, oneAtATime, pieceAsRequest, noNewline,
		crlfReplies:
		return true
	}
	return false
}

// rank orders the causes by name: structural ones first.
func rank(name string) int {
	for c, e := range causes {
		if e.name == name && structural(c) {
			return 0
		}
	}
	return 1
}

// lastAnswered names the last case before the one named that got a
// reply: where a server stopped listening.
func lastAnswered(results []Result, name string) string {
	last := "none"
	for _, r := range results {
		if r.Name == name {
			break
		}
		if r.Got != "" && r.Got != `""` {
			last = r.Name
		}
	}
	return last
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
// Cases not run, because the server stopped listening, share one line.
type textWriter struct {
	out io.Writer
	// nameWidth aligns the requests in a column.
	nameWidth int
	// refused: a case was refused, the server no longer listens.
	refused bool
	// notRun counts the cases refused or not run since.
	notRun int
}

// line prints one result: ✓ or ✗, the case's name, the request, and
// the reply, or what was wanted and what happened instead.
func (w *textWriter) line(r Result) {
	// After the first refusal, the others are one more line, and
	// so are the connections the server's stop reset.
	if r.notRun || (w.refused && (r.cause == stoppedListening ||
		diedWith(r))) {
		w.notRun++
		return
	}
	w.refused = w.refused || r.cause == stoppedListening
	w.flush()
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

// flush prints the line for the cases not run, if any.
func (w *textWriter) flush() {
	switch w.notRun {
	case 0:
		return
	case 1:
		fmt.Fprintln(w.out, "✗ 1 more case refused or not run: "+
			"the server stopped listening")
	default:
		fmt.Fprintf(w.out, "✗ %d more cases refused or not run: "+
			"the server stopped listening\n", w.notRun)
	}
	w.notRun = 0
}

// warn prints a warning line.
func (w *textWriter) warn(text string) {
	w.flush()
	fmt.Fprintln(w.out, "⚠ "+text)
}

// end prints the scores, the causes and the summary line.
func (w *textWriter) end(report Report) {
	w.flush()
	var scores []string
	for _, s := range report.Categories {
		if s.Total > 0 {
			scores = append(scores, fmt.Sprintf("%s %d/%d",
				s.Category, s.Passed, s.Total))
		}
	}
	fmt.Fprintln(w.out, "by category: "+strings.Join(scores, ", "))
	if len(report.Causes) > 0 {
		fmt.Fprintln(w.out, "what went wrong, the server's "+
			"structure first:")
	}
	for _, f := range report.Causes {
		fmt.Fprintf(w.out, "  %s: %s\n", f.Cause, caseList(f.Cases))
		fmt.Fprintf(w.out, "    %s\n", f.Meaning)
	}
	// The warnings again, where the grade is read.
	for _, text := range report.Warnings {
		fmt.Fprintln(w.out, "⚠ "+text)
	}
	fmt.Fprintf(w.out, "%d/%d passed: %s\n", report.Passed,
		report.Total, report.Summary)
}

// caseList names the cases a cause explains: all of them when they
// are few, else the first ones and how many more.
func caseList(names []string) string {
	const shown = 4
	count := caseCount(len(names))
	if len(names) <= shown {
		return count + " (" + strings.Join(names, "; ") + ")"
	}
	return fmt.Sprintf("%s (%s; and %d more)", count,
		strings.Join(names[:shown], "; "), len(names)-shown)
}

// caseCount writes 1 as "1 case" and 3 as "3 cases".
func caseCount(n int) string {
	if n == 1 {
		return "1 case"
	}
	return fmt.Sprintf("%d cases", n)
}

// writeJSON prints a value as indented JSON.
func writeJSON(out io.Writer, value any) error {
	encoder := json.NewEncoder(out)
	encoder.SetIndent("", "  ")
	return encoder.Encode(value)
}
