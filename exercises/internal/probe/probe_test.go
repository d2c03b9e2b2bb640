package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"workbook/internal/testkit"
)

func TestMain(m *testing.M) {
	// The parallel tests wait more than they compute.
	testkit.WaitersInParallel(8)
	goleak.VerifyTestMain(m)
}

// probed is what one run of the probe printed, and its exit code.
type probed struct {
	code           int
	stdout, stderr string
}

// probe runs the command with args, and fails the test if it does not
// end within a minute: whatever the server does, the probe ends.
func probe(t *testing.T, args ...string) probed {
	t.Helper()
	var stdout, stderr testkit.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(context.Background(), args, &stdout, &stderr)
	}()
	select {
	case code := <-done:
		return probed{code, stdout.String(), stderr.String()}
	case <-time.After(time.Minute):
		t.Fatalf("the probe has not ended after a minute; so far:\n%s",
			stdout.String())
	}
	return probed{}
}

// line returns the output's line for the case named name, or fails.
func line(t *testing.T, output, name string) string {
	t.Helper()
	for l := range strings.Lines(output) {
		rest, ok := strings.CutPrefix(l[strings.Index(l, " ")+1:], name+" ")
		if ok && (strings.HasPrefix(rest, " ") ||
			strings.HasPrefix(rest, "\"")) {
			return strings.TrimSuffix(l, "\n")
		}
	}
	t.Fatalf("no line for case %q in:\n%s", name, output)
	return ""
}

// assertFails checks that the case named name failed, and that its
// line says what happened.
func assertFails(t *testing.T, output, name, says string) {
	t.Helper()
	l := line(t, output, name)
	assert.True(t, strings.HasPrefix(l, "✗ "), "want ✗: %s", l)
	assert.Contains(t, l, says)
}

func assertPasses(t *testing.T, output, name string) {
	t.Helper()
	l := line(t, output, name)
	assert.True(t, strings.HasPrefix(l, "✓ "), "want ✓: %s", l)
}

// summaryLine is the probe's last line of text.
var summaryLine = regexp.MustCompile(`(?m)^(\d+)/(\d+) passed: (.*)\n\z`)

// causeLine returns the line of the "what went wrong" block that
// names cause, or fails.
func causeLine(t *testing.T, output, cause string) string {
	t.Helper()
	for l := range strings.Lines(output) {
		if strings.HasPrefix(l, "  "+cause+": ") {
			return strings.TrimSuffix(l, "\n")
		}
	}
	t.Fatalf("no cause %q in:\n%s", cause, output)
	return ""
}

// wantScores is the "by category" line of a server that passes every
// case of its kind.
func wantScores(kind Kind) string {
	counts := map[Category]int{Basics: 1} // the first case
	for _, c := range Cases(kind) {
		counts[c.Category]++
	}
	var scores []string
	for _, category := range Categories {
		scores = append(scores, fmt.Sprintf("%s %d/%d", category,
			counts[category], counts[category]))
	}
	return "by category: " + strings.Join(scores, ", ") + "\n"
}

func TestAGoodPersistentServerPasses(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, goodServer)
	got := probe(t, addr)
	assert.Equal(t, 0, got.code, got.stdout)
	assert.Empty(t, got.stderr)
	assertPasses(t, got.stdout, "one-shot or persistent")
	assert.Contains(t, got.stdout,
		`"17\n" then "4\n" → "T\n" then "F\n": persistent`)
	assert.NotContains(t, got.stdout, "✗")
	assert.NotContains(t, got.stdout, "what went wrong")

	// One line per case, between the first line and the scores,
	// then the summary.
	match := summaryLine.FindStringSubmatch(got.stdout)
	require.NotNil(t, match, got.stdout)
	total := len(Cases(Persistent)) + 1
	assert.Equal(t, fmt.Sprintf("%d", total), match[1])
	assert.Equal(t, fmt.Sprintf("%d", total), match[2])
	assert.Equal(t, "a conforming persistent server", match[3])
	assert.Equal(t, total+3, strings.Count(got.stdout, "\n"))
	assert.Contains(t, got.stdout, "\n"+wantScores(Persistent)+match[0])
	assert.Equal(t, "by category: protocol basics 15/15, parsing 32/32, "+
		"primality 19/19, big numbers 13/13, pieces and pipelining "+
		"4/4, several clients 2/2, robustness 2/2\n",
		wantScores(Persistent))
}

func TestSourceTextsIsPrimeFails(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, sourceIsPrimeServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assert.Contains(t, got.stdout, `→ "T\n" then the end: one-shot`)

	// The return inside the loop: 3 is the only divisor tried...
	assertFails(t, got.stdout, "square of 5",
		`"25\n": want "F\n", got "T\n"`)
	assertFails(t, got.stdout, "Carmichael 1105",
		`want "F\n", got "T\n"`)
	// ...and an empty loop returns None: 3, 5 and 7 are not prime.
	assertFails(t, got.stdout, "source text's list: 5",
		`"5\n": want "T\n", got "F\n"`)
	assertFails(t, got.stdout, "3 is prime", `got "F\n"`)
	// What it gets right.
	assertPasses(t, got.stdout, "source text's list: 17")
	assertPasses(t, got.stdout, "9 is not prime")
	assertPasses(t, got.stdout, "underscore")
	assert.Regexp(t, summaryLine, got.stdout)
	assert.Contains(t, got.stdout, "a one-shot server, not conforming: "+
		"it calls prime numbers composite (first: source text's list: 5)")

	// The failures, grouped by what the code does wrong.
	assert.Equal(t, "  it calls prime numbers composite: 4 cases "+
		"(source text's list: 5; 3 is prime; 7 is prime; leading zeros)",
		causeLine(t, got.stdout, "it calls prime numbers composite"))
	assert.Contains(t, causeLine(t, got.stdout,
		"it calls composite numbers prime"),
		"21 cases (Carmichael 1105; Carmichael 1729;")
}

func TestRepliesWithoutNewlineFail(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, noNewlineServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assertFails(t, got.stdout, "one-shot or persistent",
		`got "T", then the connection closed`)
	assertFails(t, got.stdout, "source text's list: 17",
		`want "T\n", got "T", then the connection closed`)
	assertFails(t, got.stdout, "empty line", `got "E", then`)
	assert.NotContains(t, got.stdout, "✓")

	// One cause for every failure, named at the end, and in the
	// summary, though the probe could not tell the server's kind.
	total := len(Cases(Unknown)) + 1
	assert.Contains(t, causeLine(t, got.stdout, `its replies lack "\n"`),
		fmt.Sprintf(": %d cases (one-shot or persistent; ", total))
	causes := regexp.MustCompile(`(?m)^  \S`)
	assert.Len(t, causes.FindAllString(got.stdout, -1), 1,
		"one cause: %s", got.stdout)
	assert.Contains(t, got.stdout, fmt.Sprintf("\n0/%d passed: not "+
		`conforming: its replies lack "\n" (first: one-shot or `+
		"persistent)\n", total))
}

func TestAServerThatNeverAnswersFails(t *testing.T) {
	// Slow (it waits out time limits, or builds a server): run
	// beside the other tests.
	t.Parallel()
	addr := startTestServer(t, silentServer)
	// A shorter limit only makes this test quicker: a server that
	// never answers fails at any limit.
	got := probe(t, "-timeout", "300ms", addr)
	assert.Equal(t, 1, got.code)
	assertFails(t, got.stdout, "one-shot or persistent",
		"no reply within 300ms")
	assertFails(t, got.stdout, "source text's list: 17",
		`"17\n": want "T\n", no reply within 300ms`)
	// The pauses of a case add to its limit.
	assertFails(t, got.stdout, "request split in 4 writes",
		"no reply within 600ms")
	assert.NotContains(t, got.stdout, "✓")
	// Every case is reported, one line each.
	total := len(Cases(Unknown)) + 1
	assert.Equal(t, total, strings.Count(got.stdout, "✗"))
	assert.True(t, strings.HasSuffix(got.stdout,
		"passed: not conforming: it never replies\n"), got.stdout)
}

func TestAServerThatClosesAtOnceFails(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, hangUpServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	for _, name := range []string{"one-shot or persistent",
		"source text's list: 4j", "line over 1 KiB, no \\n"} {
		assertFails(t, got.stdout, name, "without a reply")
	}
	// A request in pieces: the close comes before the second.
	assertFails(t, got.stdout, "request split in 4 writes",
		`after "21", before the rest of the line`)
	assert.NotContains(t, got.stdout, "✓")
	assert.NotContains(t, got.stdout, "broken pipe")
}

func TestRepliesOutOfOrderFail(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, outOfOrderServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	// One request at a time, there is nothing to reorder...
	assertPasses(t, got.stdout, "one-shot or persistent")
	assertPasses(t, got.stdout, "8 requests in lock-step")
	// ...but a batch comes back reversed: the last request is 2**50-1,
	// F, and the first 4j, E.
	assertFails(t, got.stdout, "96 requests pipelined",
		`got "F\n" as reply 1 of 96, want "E\n"`)
	assert.Contains(t, got.stdout, "a persistent server, not conforming: "+
		"its replies come back in another order "+
		"(first: 96 requests pipelined)")
}

// The most common bug of all, the source text's own: a server that
// serves a client to the end before it accepts the next one. Each
// case alone passes; another client waiting does not.
func TestAServerForOneClientAtATimeFails(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startOneAtATime(t, goodServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	for _, name := range []string{"while another client is idle",
		"while another client is mid-line"} {
		assertFails(t, got.stdout, name, `"17\n": want "T\n", no reply `+
			"within 2s while another client's connection stayed open")
	}
	assert.Equal(t, 2, strings.Count(got.stdout, "✗"), got.stdout)
	assert.Contains(t, got.stdout, "several clients 0/2")
	assert.Equal(t, "  it serves one client at a time: 2 cases "+
		"(while another client is idle; while another client is "+
		"mid-line)", causeLine(t, got.stdout,
		"it serves one client at a time"))
	assert.Contains(t, got.stdout, "passed: a persistent server, not "+
		"conforming: it serves one client at a time "+
		"(first: while another client is idle)\n")
}

// A server that takes its first Read for the whole request: each
// piece of a split request has a verdict of its own, so the probe
// sees the early reply, and says so in the student's terms, not as a
// broken pipe.
func TestAServerThatAnswersTheFirstPieceFails(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, firstPieceServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assertFails(t, got.stdout, "request split in 4 writes",
		`"2147483647\r\n": want "T\n", replied "F\n" to "21" alone, `+
			"before the rest of the line")
	assertFails(t, got.stdout, `25 in 2 writes, "2" first`,
		`"25\n": want "F\n", replied "T\n" to "2" alone, `+
			"before the rest of the line")
	// The other client's line comes in two pieces too.
	assertFails(t, got.stdout, "while another client is mid-line",
		`replied "F\n" to "1" alone`)
	assert.NotContains(t, got.stdout, "broken pipe")
	assert.Contains(t, got.stdout, "passed: a one-shot server, not "+
		"conforming: it answers a piece of a request as a whole line "+
		"(first: request split in 4 writes)\n")
}

// A server without a loop around accept: every case after the first
// is refused, and the probe says so once.
func TestAServerThatStopsListeningIsToldOnce(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startOnce(t, goodServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assertPasses(t, got.stdout, "one-shot or persistent")
	total := len(Cases(Persistent))
	assert.Contains(t, got.stdout, fmt.Sprintf("\n1/%d passed: a "+
		"persistent server, not conforming: it stopped listening "+
		"(from source text's list: 4j on; the last case answered: "+
		"one-shot or persistent)\n", total+1))
	// The cases under way when it stopped, up to maxConns, may each
	// get a line (refused, or reset in the server's queue); all the
	// others share one.
	more := regexp.MustCompile(`\n✗ (\d+) more cases refused or not ` +
		`run: the server stopped listening\n`)
	match := more.FindStringSubmatch(got.stdout)
	require.NotNil(t, match, got.stdout)
	lines := strings.Count(got.stdout, "✗")
	assert.LessOrEqual(t, lines, maxConns+2, got.stdout)
	assert.Equal(t, strconv.Itoa(total-lines+1), match[1])
	assert.Contains(t, got.stdout, ": the server no longer listens\n")

	// The JSON still holds every case.
	var report Report
	require.NoError(t, json.Unmarshal([]byte(probe(t, "-json",
		startOnce(t, goodServer)).stdout), &report))
	assert.Len(t, report.Cases, total+1)
	for _, r := range report.Cases[1:] {
		assert.False(t, r.Passed, r.Name)
		assert.Equal(t, "it stopped listening", r.Cause, r.Name)
	}
}

// Trial division: right, but the big numbers get no reply. The small
// number asked after them still does, so the probe calls it slow,
// not stuck.
func TestAServerSlowOnBigNumbersFails(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, slowServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assertFails(t, got.stdout, "2^127-1, prime", "no reply within 2s")
	assertPasses(t, got.stdout, "still answers after the big numbers")
	heavies := 0
	for _, c := range Cases(Persistent) {
		if c.phase == heavy {
			heavies++
			assertFails(t, got.stdout, c.Name, "no reply within 2s")
		}
	}
	assert.Equal(t, heavies, strings.Count(got.stdout, "✗"))
	assert.Contains(t, causeLine(t, got.stdout,
		"it is too slow on big numbers"),
		fmt.Sprintf(": %d cases (100 digits, prime; ", heavies))
	assert.Contains(t, got.stdout, "passed: a persistent server, not "+
		"conforming: it is too slow on big numbers "+
		"(first: 100 digits, prime)\n")
}

// A server that hangs for good on the first big number: nothing after
// it is answered, the small number asked last included. The probe
// says where it stopped, and that the next run would find it stuck.
func TestAServerStuckOnABigNumberFails(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, stuckServer())
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assertFails(t, got.stdout, "still answers after the big numbers",
		`"97\n": want "T\n", no reply within 2s`)
	assert.Contains(t, causeLine(t, got.stdout, "it stopped answering"),
		"(100 digits, prime; ")
	assert.Contains(t, got.stdout, "\n⚠ no reply to \"97\\n\" after "+
		"the big numbers: restart the server before probing it again\n")
	assert.Contains(t, got.stdout, "passed: a persistent server, not "+
		"conforming: it stopped answering (from 100 digits, prime on)\n")
}

// A server slow to answer the very first request is busy with
// something else: the probe says so at once, and again at the end.
func TestABusyServerIsWarnedAbout(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, busyServer())
	got := probe(t, addr)
	warning := regexp.MustCompile(`⚠ the server took 1(\.\d+)?s to answer ` +
		`"17\\n": still busy with an earlier run's big numbers\? ` +
		`Restart it and probe again; until then, slow replies may be ` +
		`that work, not the code\n`)
	assert.Len(t, warning.FindAllString(got.stdout, -1), 2, got.stdout)
	// Right after the first case's line.
	lines := strings.Split(got.stdout, "\n")
	assert.Regexp(t, warning, lines[2]+"\n")

	var report Report
	require.NoError(t, json.Unmarshal([]byte(probe(t, "-json",
		startTestServer(t, busyServer())).stdout), &report))
	require.NotEmpty(t, report.Warnings)
	assert.Regexp(t, warning, "⚠ "+report.Warnings[0]+"\n")
}

func TestJSON(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, sourceIsPrimeServer)
	got := probe(t, "-json", addr)
	assert.Equal(t, 1, got.code)
	assert.Empty(t, got.stderr)

	var report Report
	require.NoError(t, json.Unmarshal([]byte(got.stdout), &report))
	assert.Equal(t, addr, report.Server)
	assert.Equal(t, OneShot, report.Kind)
	assert.Equal(t, "2s", report.Timeout)
	assert.Equal(t, len(report.Cases), report.Total)
	assert.Equal(t, len(Cases(OneShot))+1, report.Total)

	// The same results as the text output.
	text := probe(t, addr)
	passed := 0
	for _, r := range report.Cases {
		l := line(t, text.stdout, r.Name)
		assert.Equal(t, r.Passed, strings.HasPrefix(l, "✓"), l)
		assert.Equal(t, r.Passed, r.Problem == "", r.Name)
		assert.Equal(t, r.Passed, r.Cause == "", r.Name)
		assert.NotEmpty(t, r.Category, r.Name)
		if r.Passed {
			passed++
		}
	}
	assert.Equal(t, passed, report.Passed)
	assert.Less(t, report.Passed, report.Total)
	match := summaryLine.FindStringSubmatch(text.stdout)
	require.NotNil(t, match, text.stdout)
	assert.Equal(t, match[3], report.Summary)

	// The scores and the causes, as the text gives them.
	scored := 0
	for _, s := range report.Categories {
		assert.Contains(t, text.stdout, fmt.Sprintf("%s %d/%d",
			s.Category, s.Passed, s.Total))
		scored += s.Total
	}
	assert.Equal(t, report.Total, scored)
	for _, f := range report.Causes {
		assert.Contains(t, text.stdout, "  "+f.Cause+": ")
		assert.Contains(t, text.stdout, "    "+f.Meaning+"\n")
	}

	// Requests and replies are quoted, whole.
	for _, r := range report.Cases {
		if r.Name == "square of 5" {
			assert.Equal(t, Result{Name: "square of 5",
				Category: Primality, Request: `"25\n"`,
				Want: `"F\n"`, Got: `"T\n"`, Problem: `got "T\n"`,
				Cause: "it calls composite numbers prime"}, r)
		}
		if r.Name == "line over 1 KiB, no \\n" {
			assert.Len(t, r.Request, 2048+2)
		}
	}
}

func TestUnreachableServer(t *testing.T) {
	// A port that nobody listens on: the probe says so in one
	// line, at once, in its own words on every system.
	addr := testkit.FreeAddr(t)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assert.Empty(t, got.stdout)
	assert.Equal(t, "probe: nothing listens at "+addr+
		" (connection refused)\n", got.stderr)
}

func TestHelp(t *testing.T) {
	for _, flag := range []string{"-h", "-help", "--help"} {
		got := probe(t, flag)
		assert.Equal(t, 0, got.code)
		assert.Equal(t, usage, got.stdout)
		assert.Empty(t, got.stderr)
	}
}

func TestBadArguments(t *testing.T) {
	cases := []struct {
		args    []string
		message string
	}{
		{nil, "which server? give its address, like 127.0.0.1:8809"},
		{[]string{"a:1", "b:2"}, "one server at a time, got 2 " +
			"addresses (-roster FILE grades a class)"},
		{[]string{"localhost"}, `"localhost" is not HOST:PORT`},
		{[]string{"localhost:http"},
			`"localhost:http": the port must be a number from 1 to 65535`},
		{[]string{"localhost:0"},
			`"localhost:0": the port must be a number from 1 to 65535`},
		{[]string{":8809"}, `":8809" has no host, like 127.0.0.1`},
		{[]string{"-timeout", "0s", "localhost:8809"},
			"-timeout must be above zero, got 0s"},
		{[]string{"-timeout", "soon", "localhost:8809"},
			`invalid value "soon" for flag -timeout: parse error`},
		{[]string{"-verbose", "localhost:8809"},
			"flag provided but not defined: -verbose"},
		{[]string{"-roster", "class.txt", "localhost:8809"},
			"give either a server's address or -roster FILE, not both"},
		{[]string{"-roster", "class.txt", "-csv", "-json"},
			"-csv or -json, not both"},
		{[]string{"-roster", "class.txt", "-parallel", "0"},
			"-parallel must be 1 or more, got 0"},
		{[]string{"-csv", "localhost:8809"},
			"-csv, -html and -parallel go with -roster FILE"},
		{[]string{"-html", "class.html", "localhost:8809"},
			"-csv, -html and -parallel go with -roster FILE"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			got := probe(t, c.args...)
			assert.Equal(t, 2, got.code)
			assert.Empty(t, got.stdout)
			assert.Equal(t, "probe: "+c.message+"\n\n"+usage,
				got.stderr)
		})
	}
}

func TestFlagsAfterTheAddress(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, goodServer)
	got := probe(t, addr, "-json")
	assert.Equal(t, 0, got.code)
	assert.True(t, json.Valid([]byte(got.stdout)), got.stdout)
}

// A probe gentle with a classroom server: never more than maxConns
// connections open at once, as the server counts them.
func TestAtMostMaxConnsAtOnce(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	var mu sync.Mutex
	open, most := 0, 0
	addr := startTestServer(t, func(conn net.Conn) {
		mu.Lock()
		open++
		most = max(most, open)
		mu.Unlock()
		// A connection counts until its reply is on the way:
		// the probe cannot open another one in its place before.
		done := sync.OnceFunc(func() {
			mu.Lock()
			open--
			mu.Unlock()
		})
		defer done()
		lineServer{reply: func(line []byte) []byte {
			time.Sleep(20 * time.Millisecond)
			done()
			return judge(line)
		}}.handle(conn)
	})
	got := probe(t, addr)
	assert.Equal(t, 0, got.code, got.stdout)
	mu.Lock()
	defer mu.Unlock()
	assert.LessOrEqual(t, most, maxConns)
	assert.Greater(t, most, 1, "the cases ran one at a time")
}

// The exercises README shows the probe grading a server with the
// source text's isprime.
func TestReadmeTranscript(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, sourceIsPrimeServer)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	testkit.CheckTranscript(t, "../../README.md", "probe", got.stdout)
}

func TestCtrlCStopsTheProbe(t *testing.T) {
	// Slow (it waits out time limits, or builds a server): run
	// beside the other tests.
	t.Parallel()
	addr := startTestServer(t, silentServer)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr testkit.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- Main(ctx, []string{addr}, &stdout, &stderr) }()

	// Once the first cases are under way, Ctrl-C.
	for !strings.Contains(stdout.String(), "one-shot or persistent") {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 1, code)
		assert.Equal(t, "probe: interrupted\n", stderr.String())
		// Only the case that ended before Ctrl-C is shown, and
		// the warning that the server did not answer it.
		lines := strings.Split(stdout.String(), "\n")
		assert.Len(t, lines, 4, stdout.String())
		assert.True(t, strings.HasPrefix(lines[2], "⚠ no reply to"),
			stdout.String())
	case <-time.After(time.Minute):
		t.Fatal("the probe goes on after Ctrl-C")
	}
}
