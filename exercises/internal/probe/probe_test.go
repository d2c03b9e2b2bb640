package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"regexp"
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

	// One line per case, between the first line and the summary.
	match := summaryLine.FindStringSubmatch(got.stdout)
	require.NotNil(t, match, got.stdout)
	total := len(Cases(Persistent)) + 1
	assert.Equal(t, fmt.Sprintf("%d", total), match[1])
	assert.Equal(t, fmt.Sprintf("%d", total), match[2])
	assert.Equal(t, "a conforming persistent server", match[3])
	assert.Equal(t, total+2, strings.Count(got.stdout, "\n"))
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
	assert.Contains(t, got.stdout, "a one-shot server, not conforming")
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
	assert.Contains(t, got.stdout,
		"passed: could not tell one-shot from persistent")
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
	assert.NotContains(t, got.stdout, "✓")
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
	assert.Contains(t, got.stdout, "a persistent server, not conforming")
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
		if r.Passed {
			passed++
		}
	}
	assert.Equal(t, passed, report.Passed)
	assert.Less(t, report.Passed, report.Total)

	// Requests and replies are quoted, whole.
	for _, r := range report.Cases {
		if r.Name == "square of 5" {
			assert.Equal(t, Result{Name: "square of 5",
				Request: `"25\n"`, Want: `"F\n"`, Got: `"T\n"`,
				Problem: `got "T\n"`}, r)
		}
		if r.Name == "line over 1 KiB, no \\n" {
			assert.Len(t, r.Request, 2048+2)
		}
	}
}

func TestUnreachableServer(t *testing.T) {
	// A port that nobody listens on: the probe says so in one
	// line, at once.
	addr := testkit.FreeAddr(t)
	got := probe(t, addr)
	assert.Equal(t, 1, got.code)
	assert.Empty(t, got.stdout)
	assert.Equal(t, "probe: cannot connect to "+addr+
		": connect: connection refused\n", got.stderr)
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
		{[]string{"a:1", "b:2"}, "one server at a time, got 2 addresses"},
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
		// Only the case that ended before Ctrl-C is shown.
		assert.Equal(t, 2, strings.Count(stdout.String(), "\n"),
			stdout.String())
	case <-time.After(time.Minute):
		t.Fatal("the probe goes on after Ctrl-C")
	}
}
