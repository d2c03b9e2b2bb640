package probe

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A student is one line of the roster.
type student struct {
	name, addr string
}

// A Grade is one student's row: the -json output of -roster holds one
// per student, in the roster's order.
type Grade struct {
	Name   string `json:"name"`
	Server string `json:"server"`
	// Status is "conforming", "not conforming", "down" (nothing
	// listens at the address) or "unreachable".
	Status string `json:"status"`
	// Error says why a server that is down or unreachable could
	// not be probed.
	Error  string  `json:"error,omitempty"`
	Report *Report `json:"report,omitempty"`
}

// The statuses of a grade.
const (
	conforming    = "conforming"
	notConforming = "not conforming"
	down          = "down"
	unreachable   = "unreachable"
)

// gradeClass probes every server of the roster, a few at once, and
// prints one row per student, in the roster's order, each as soon as
// it and those before it are known.
func gradeClass(ctx context.Context, opts options,
	stdout, stderr io.Writer) int {
	students, err := readRoster(opts.roster)
	if err != nil {
		fmt.Fprintf(stderr, "probe: %v\n", err)
		return 2
	}

	// Each student's grade, as soon as it is known.
	grades := make([]chan Grade, len(students))
	for i := range grades {
		grades[i] = make(chan Grade, 1)
	}
	go func() {
		slots := make(chan struct{}, opts.parallel)
		for i, s := range students {
			slots <- struct{}{}
			go func() {
				defer func() { <-slots }()
				grades[i] <- grade(ctx, s, opts)
			}()
		}
	}()

	var table rowWriter = &textTable{out: stdout}
	switch {
	case opts.asCSV:
		table = &csvTable{out: csv.NewWriter(stdout)}
	case opts.asJSON:
		table = &jsonTable{out: stdout}
	}
	table.start(students, opts)
	var all []Grade
	for _, next := range grades {
		g := <-next
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "probe: interrupted")
			return 1
		}
		all = append(all, g)
		table.row(g)
	}
	if err := table.end(all); err != nil {
		fmt.Fprintf(stderr, "probe: %v\n", err)
		return 1
	}

	if opts.page != "" {
		if err := writePage(opts.page, opts, all); err != nil {
			fmt.Fprintf(stderr, "probe: %v\n", err)
			return 1
		}
	}
	for _, g := range all {
		if g.Status != conforming {
			return 1
		}
	}
	return 0
}

// grade probes one student's server.
func grade(ctx context.Context, s student, opts options) Grade {
	g := Grade{Name: s.name, Server: s.addr}
	p := &prober{addr: s.addr, timeout: opts.timeout}
	report, err := probeServer(ctx, p, func([]Case) {},
		func(Result) {}, func(string) {})
	var isDown *downError
	switch {
	case errors.As(err, &isDown) && isDown.refused:
		g.Status, g.Error = down, err.Error()
	case err != nil:
		g.Status, g.Error = unreachable, err.Error()
	case report.conforms():
		g.Status, g.Report = conforming, &report
	default:
		g.Status, g.Report = notConforming, &report
	}
	return g
}

// readRoster reads a roster: one student a line, a name (spaces
// allowed) then an address; blank lines and lines starting with #
// are left out. Each mistake is named with its line number.
func readRoster(path string) ([]student, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the roster: %v", err)
	}
	defer file.Close()

	var students []student
	lines := bufio.NewScanner(file)
	for number := 1; lines.Scan(); number++ {
		line := lines.Text()
		if number == 1 {
			// Notepad may begin a file with a byte-order mark.
			line = strings.TrimPrefix(line, "\ufeff")
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, number)
		// The address is the last word; the name, the rest.
		cut := strings.LastIndexAny(line, " \t")
		if cut < 0 {
			return nil, fmt.Errorf("%s: %q: write the student's "+
				"name, then the server's address, like "+
				"\"Ana Lima 192.168.1.23:8809\"", where, line)
		}
		name := strings.TrimSpace(line[:cut])
		addr := line[cut+1:]
		if err := checkAddr(addr); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		students = append(students, student{name: name, addr: addr})
	}
	if err := lines.Err(); err != nil {
		return nil, fmt.Errorf("cannot read the roster: %v", err)
	}
	if len(students) == 0 {
		return nil, fmt.Errorf("%s names no student: write one "+
			"a line, like \"Ana Lima 192.168.1.23:8809\"", path)
	}
	return students, nil
}

// A rowWriter prints the class's grades, one row at a time.
type rowWriter interface {
	start(students []student, opts options)
	row(g Grade)
	end(all []Grade) error
}

// shortNames are the categories' column headings in the text table.
var shortNames = map[Category]string{
	Basics:     "basics",
	Parsing:    "parsing",
	Primality:  "primes",
	BigNumbers: "big",
	Pieces:     "pieces",
	Clients:    "clients",
	Robustness: "robust",
}

// textTable prints the grades as an aligned table.
type textTable struct {
	out       io.Writer
	nameWidth int
}

func (t *textTable) start(students []student, opts options) {
	t.nameWidth = len("student")
	for _, s := range students {
		t.nameWidth = max(t.nameWidth, utf8.RuneCountInString(s.name))
	}
	fmt.Fprintf(t.out, "grading %d servers from %s, %d at a time, "+
		"at most %v per case\n", len(students), opts.roster,
		opts.parallel, opts.timeout)
	headings := []string{"passed"}
	for _, c := range Categories {
		headings = append(headings, shortNames[c])
	}
	t.line("student", headings, "first problem")
}

// line prints one row: the name, the cells, then the last column.
func (t *textTable) line(name string, cells []string, last string) {
	var row strings.Builder
	row.WriteString(pad(name, t.nameWidth))
	for _, cell := range cells {
		row.WriteString("  " + pad(cell, 7))
	}
	fmt.Fprintln(t.out, strings.TrimRight(row.String()+"  "+last, " "))
}

func (t *textTable) row(g Grade) {
	if g.Report == nil {
		cells := []string{g.Status}
		for range Categories {
			cells = append(cells, "-")
		}
		t.line(g.Name, cells, g.Error)
		return
	}
	r := g.Report
	cells := []string{fmt.Sprintf("%d/%d", r.Passed, r.Total)}
	for _, s := range r.Categories {
		cells = append(cells, fmt.Sprintf("%d/%d", s.Passed, s.Total))
	}
	t.line(g.Name, cells, firstProblem(*r))
}

func (t *textTable) end(all []Grade) error {
	passed, absent := 0, 0
	for _, g := range all {
		switch g.Status {
		case conforming:
			passed++
		case down, unreachable:
			absent++
		}
	}
	fmt.Fprintf(t.out, "%d of %d servers conform", passed, len(all))
	if absent > 0 {
		fmt.Fprintf(t.out, "; %d could not be probed", absent)
	}
	fmt.Fprintln(t.out)
	return nil
}

// pad fills s with spaces to width runes.
func pad(s string, width int) string {
	return s + strings.Repeat(" ",
		max(width-utf8.RuneCountInString(s), 0))
}

// csvTable prints the grades as CSV, one row per student, with the
// numbers in columns of their own for a spreadsheet.
type csvTable struct {
	out *csv.Writer
}

func (t *csvTable) start([]student, options) {
	header := []string{"name", "server", "status", "kind", "passed",
		"total"}
	for _, c := range Categories {
		header = append(header, string(c)+" passed",
			string(c)+" total")
	}
	header = append(header, "first problem")
	// Errors show at Flush, in end.
	_ = t.out.Write(header)
}

func (t *csvTable) row(g Grade) {
	record := []string{g.Name, g.Server, g.Status}
	if g.Report == nil {
		record = append(record, "", "", "")
		for range Categories {
			record = append(record, "", "")
		}
		record = append(record, g.Error)
	} else {
		r := g.Report
		record = append(record, string(r.Kind),
			strconv.Itoa(r.Passed), strconv.Itoa(r.Total))
		for _, s := range r.Categories {
			record = append(record, strconv.Itoa(s.Passed),
				strconv.Itoa(s.Total))
		}
		record = append(record, firstProblem(*r))
	}
	// Errors show at Flush, in end.
	_ = t.out.Write(record)
	t.out.Flush()
}

func (t *csvTable) end([]Grade) error {
	t.out.Flush()
	return t.out.Error()
}

// jsonTable prints every grade at the end, as one JSON array.
type jsonTable struct {
	out io.Writer
}

func (t *jsonTable) start([]student, options) {}
func (t *jsonTable) row(Grade)                {}
func (t *jsonTable) end(all []Grade) error {
	return writeJSON(t.out, all)
}

// writePage writes the class's page: one file, with its style inside
// and nothing to fetch, so that it shows as it is on any projector.
func writePage(path string, opts options, all []Grade) error {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot write the page: %v", err)
	}
	data := pageData{Roster: opts.roster, Timeout: opts.timeout.String(),
		Categories: Categories}
	for i, g := range all {
		data.Grades = append(data.Grades, gradeView(g, i+1))
		if g.Status == conforming {
			data.Conforming++
		}
	}
	err = page.Execute(file, data)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("cannot write the page: %v", err)
	}
	return nil
}

// pageData is what the page shows.
type pageData struct {
	Roster, Timeout string
	Categories      []Category
	Grades          []gradeRow
	Conforming      int
}

// gradeRow is one student, as the page shows them: each cell with
// its text and its class, good, bad or absent, which colours it.
type gradeRow struct {
	Name, Server, ID string
	Passed, Class    string
	Scores           []scoreCell
	First, Verdict   string
	Warnings         []string
	Causes           []causeView
	Failures         []Result
}

// A scoreCell is one category's score, and its class.
type scoreCell struct {
	Text, Class string
}

// A causeView is one cause, with how many cases it explains.
type causeView struct {
	Cause, Count, Meaning string
}

// gradeView is the nth student's grade, as the page shows it.
func gradeView(g Grade, n int) gradeRow {
	row := gradeRow{Name: g.Name, Server: g.Server,
		ID: "student-" + strconv.Itoa(n), Passed: g.Status,
		Class: "absent", First: g.Error, Verdict: g.Error}
	if g.Report == nil {
		for range Categories {
			row.Scores = append(row.Scores,
				scoreCell{Text: "-", Class: "absent"})
		}
		return row
	}
	r := g.Report
	row.Passed = fmt.Sprintf("%d/%d", r.Passed, r.Total)
	row.Class = colour(r.Passed, r.Total)
	row.First = firstProblem(*r)
	row.Verdict = fmt.Sprintf("%d/%d passed: %s", r.Passed, r.Total,
		r.Summary)
	row.Warnings = r.Warnings
	for _, s := range r.Categories {
		row.Scores = append(row.Scores, scoreCell{
			Text:  fmt.Sprintf("%d/%d", s.Passed, s.Total),
			Class: colour(s.Passed, s.Total),
		})
	}
	for _, f := range r.Causes {
		row.Causes = append(row.Causes, causeView{Cause: f.Cause,
			Count: caseCount(len(f.Cases)), Meaning: f.Meaning})
	}
	for _, c := range r.Cases {
		if !c.Passed {
			row.Failures = append(row.Failures, c)
		}
	}
	return row
}

// colour is a score's class: good when full, bad otherwise.
func colour(passed, total int) string {
	if passed == total {
		return "good"
	}
	return "bad"
}
