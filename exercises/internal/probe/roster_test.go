package probe

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

// A class of four: a right server, one that serves one client at a
// time, one whose address nobody listens on, and one that answers the
// first piece of a request. Names may hold spaces, and anything else.
type class struct {
	roster                   string
	good, oneAtATime, absent string
	firstPiece               string
}

func newClass(t *testing.T) class {
	t.Helper()
	c := class{
		good:       startTestServer(t, goodServer),
		oneAtATime: startOneAtATime(t, goodServer),
		absent:     testkit.FreeAddr(t),
		firstPiece: startTestServer(t, firstPieceServer),
	}
	c.roster = writeRoster(t, "# the class of 2026, name then address\n"+
		"Ana Lima   "+c.good+"\n"+
		"\n"+
		"Bruno\t"+c.oneAtATime+"\n"+
		"  # Chen's laptop was off\n"+
		"Chen Wei "+c.absent+"\n"+
		"<b>Dana</b> Ó "+c.firstPiece+"\n")
	return c
}

// writeRoster writes text to a roster file of the test's own.
func writeRoster(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "roster.txt")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

func TestRosterGradesAClassRowByRow(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	c := newClass(t)
	got := probe(t, "-roster", c.roster)
	assert.Equal(t, 1, got.code, got.stdout)
	assert.Empty(t, got.stderr)

	persistent := len(Cases(Persistent)) + 1
	oneShot := len(Cases(OneShot)) + 1
	want := []string{
		fmt.Sprintf("grading 4 servers from %s, 8 at a time, at "+
			"most 2s per case", c.roster),
		"student        passed   basics   parsing  primes   big      " +
			"pieces   clients  robust   first problem",
		fmt.Sprintf("Ana Lima       %d/%d    15/15    32/32    19/19    "+
			"13/13    4/4      2/2      2/2", persistent, persistent),
		fmt.Sprintf("Bruno          %d/%d    15/15    32/32    19/19    "+
			"13/13    4/4      0/2      2/2      it serves one client "+
			"at a time (first: while another client is idle)",
			persistent-2, persistent),
		"Chen Wei       down     -        -        -        -        " +
			"-        -        -        nothing listens at " +
			c.absent + " (connection refused)",
		fmt.Sprintf("<b>Dana</b> Ó  %d/%d    15/15    32/32    19/19    "+
			"13/13    0/2      1/2      2/2      it answers a piece "+
			"of a request as a whole line (first: request split in "+
			"4 writes)", oneShot-3, oneShot),
		"1 of 4 servers conform; 1 could not be probed",
	}
	assert.Equal(t, strings.Join(want, "\n")+"\n", got.stdout)
}

func TestRosterAsCSVAndAsAPage(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	c := newClass(t)
	page := filepath.Join(t.TempDir(), "class.html")
	got := probe(t, "-roster", c.roster, "-csv", "-html", page)
	assert.Equal(t, 1, got.code, got.stdout)
	assert.Empty(t, got.stderr)

	// One header, then one row per student, with numbers in
	// columns of their own.
	records, err := csv.NewReader(strings.NewReader(got.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 5)
	header := records[0]
	assert.Equal(t, []string{"name", "server", "status", "kind",
		"passed", "total", "protocol basics passed",
		"protocol basics total"}, header[:8])
	assert.Equal(t, "first problem", header[len(header)-1])
	assert.Len(t, header, 6+2*len(Categories)+1)
	column := func(row []string, name string) string {
		for i, heading := range header {
			if heading == name {
				return row[i]
			}
		}
		t.Fatalf("no column %q", name)
		return ""
	}
	ana, bruno, chen, dana := records[1], records[2], records[3],
		records[4]
	assert.Equal(t, []string{"Ana Lima", c.good, "conforming",
		"persistent"}, ana[:4])
	assert.Equal(t, column(ana, "total"), column(ana, "passed"))
	assert.Equal(t, "", column(ana, "first problem"))
	assert.Equal(t, "not conforming", column(bruno, "status"))
	assert.Equal(t, "0", column(bruno, "several clients passed"))
	assert.Equal(t, "2", column(bruno, "several clients total"))
	assert.Equal(t, []string{"Chen Wei", c.absent, "down", "", "", ""},
		chen[:6])
	assert.Equal(t, "nothing listens at "+c.absent+
		" (connection refused)", column(chen, "first problem"))
	assert.Equal(t, "<b>Dana</b> Ó", dana[0])
	assert.Equal(t, "one-shot", column(dana, "kind"))

	// The page: every student, each failure, and nothing to fetch
	// from elsewhere; what a student sent or is called is escaped.
	written, err := os.ReadFile(page)
	require.NoError(t, err)
	html := string(written)
	assert.True(t, strings.HasPrefix(html, "<!DOCTYPE html>"))
	assert.Contains(t, html, "1 of 4 servers conform.")
	for _, name := range []string{"Ana Lima", "Bruno", "Chen Wei",
		"&lt;b&gt;Dana&lt;/b&gt; Ó"} {
		assert.Contains(t, html, ">"+name+"</a>")
		assert.Contains(t, html, "<h2>"+name+"</h2>")
	}
	assert.NotContains(t, html, "<b>Dana")
	assert.Contains(t, html, "<strong>it serves one client at a "+
		"time</strong>: 2 cases.")
	assert.Contains(t, html, "<td>while another client is idle</td>")
	assert.Contains(t, html, "nothing listens at "+c.absent)
	for _, external := range []string{"<script", "src=", "href=\"http",
		"@import", "url("} {
		assert.NotContains(t, html, external)
	}
}

func TestRosterAsJSON(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	c := newClass(t)
	got := probe(t, "-roster", c.roster, "-json")
	assert.Equal(t, 1, got.code, got.stdout)
	var grades []Grade
	require.NoError(t, json.Unmarshal([]byte(got.stdout), &grades))
	require.Len(t, grades, 4)
	statuses := []string{}
	for _, g := range grades {
		statuses = append(statuses, g.Name+": "+g.Status)
	}
	assert.Equal(t, []string{"Ana Lima: conforming",
		"Bruno: not conforming", "Chen Wei: down",
		"<b>Dana</b> Ó: not conforming"}, statuses)
	assert.Nil(t, grades[2].Report)
	assert.Equal(t, "nothing listens at "+c.absent+
		" (connection refused)", grades[2].Error)
	require.NotNil(t, grades[1].Report)
	assert.Equal(t, "it serves one client at a time",
		grades[1].Report.Causes[0].Cause)
}

// A roster saved by Windows's Notepad: a byte-order mark first, and
// "\r\n" at the end of each line.
func TestRosterOfGoodServersPasses(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	roster := writeRoster(t, "\ufeffAna "+startTestServer(t, goodServer)+
		"\r\nBruno "+startTestServer(t, goodServer)+"\r\n")
	got := probe(t, "-roster", roster, "-parallel", "1")
	assert.Equal(t, 0, got.code, got.stdout)
	assert.Contains(t, got.stdout, ", 1 at a time, ")
	assert.Contains(t, got.stdout, "\nAna      ")
	assert.Contains(t, got.stdout, "\nBruno    ")
	assert.True(t, strings.HasSuffix(got.stdout,
		"\n2 of 2 servers conform\n"), got.stdout)
}

func TestRosterMistakesAreNamedWithTheirLine(t *testing.T) {
	cases := []struct {
		roster, says string
	}{
		{"Ana 127.0.0.1:8809\nBruno\n",
			`:2: "Bruno": write the student's name, then the ` +
				`server's address, like "Ana Lima ` +
				`192.168.1.23:8809"`},
		{"# nobody\n\n", " names no student: write one a line, " +
			`like "Ana Lima 192.168.1.23:8809"`},
		{"Ana 127.0.0.1\n", `:1: "127.0.0.1" is not HOST:PORT`},
		{"Ana Lima 127.0.0.1:99999\n", `:1: "127.0.0.1:99999": the ` +
			"port must be a number from 1 to 65535"},
	}
	for _, c := range cases {
		t.Run(c.says, func(t *testing.T) {
			roster := writeRoster(t, c.roster)
			got := probe(t, "-roster", roster)
			assert.Equal(t, 2, got.code)
			assert.Empty(t, got.stdout)
			assert.True(t, strings.HasPrefix(got.stderr,
				"probe: "+roster), got.stderr)
			assert.Equal(t, 1, strings.Count(got.stderr, "\n"))
			assert.Contains(t, got.stderr, c.says+"\n")
		})
	}

	missing := filepath.Join(t.TempDir(), "nobody.txt")
	got := probe(t, "-roster", missing)
	assert.Equal(t, 2, got.code)
	assert.True(t, strings.HasPrefix(got.stderr,
		"probe: cannot read the roster: "), got.stderr)
}

// The exercises README shows a class graded in one command.
func TestRosterReadmeTranscript(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	roster := writeRoster(t, "# name, then the server's address\n"+
		"Ana Lima      "+startTestServer(t, goodServer)+"\n"+
		"Bruno Díaz    "+startOneAtATime(t, goodServer)+"\n"+
		"Chen Wei      "+testkit.FreeAddr(t)+"\n"+
		"Dana Okafor   "+startTestServer(t, firstPieceServer)+"\n"+
		"Emil Berg     "+startTestServer(t, sourceIsPrimeServer)+"\n")
	got := probe(t, "-roster", roster)
	assert.Equal(t, 1, got.code)
	// The README's roster is roster.txt, where the teacher is.
	output := strings.Replace(got.stdout, roster, "roster.txt", 1)
	testkit.CheckTranscript(t, "../../README.md", "probe-roster", output)
}
