package runner

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// events writes go test -json lines for package fake/exercises/01-x.
func events(t *testing.T, list ...testEvent) []byte {
	t.Helper()
	var stream []byte
	for _, event := range list {
		if event.Package == "" && event.ImportPath == "" {
			event.Package = "fake/exercises/01-x"
		}
		line, err := json.Marshal(event)
		if err != nil {
			t.Fatal(err)
		}
		stream = append(append(stream, line...), '\n')
	}
	return stream
}

// outputs are the output events of one test, a line each.
func outputs(test string, lines ...string) []testEvent {
	var list []testEvent
	for _, line := range lines {
		list = append(list, testEvent{Action: "output", Test: test, Output: line + "\n"})
	}
	return list
}

// reportOf parses a stream for exercise 01-x, with the module at
// /work/book.
func reportOf(t *testing.T, stream []byte, stderr string) result {
	t.Helper()
	output := newTestOutput("/work/book")
	_, err := output.Write(stream)
	if err != nil {
		t.Fatal(err)
	}
	output.stderr = stderr
	return output.of(exercise{name: "01-x"}, TimeLimit)
}

func TestARaceReportShowsOnlyPlacesInTheWorkbook(t *testing.T) {
	var list []testEvent
	list = append(list, testEvent{Action: "run", Test: "TestRace"})
	list = append(list, outputs("TestRace",
		"=== RUN   TestRace",
		"==================",
		"WARNING: DATA RACE",
		"Write at 0x00c00009e198 by goroutine 9:",
		"  fake/exercises/01-x.Store.Set()",
		"      /work/book/exercises/01-x/store.go:8 +0x33",
		"",
		"Previous write at 0x00c00009e198 by goroutine 8:",
		"  testing.tRunner()",
		"      /usr/local/go/src/testing/testing.go:2036 +0x21c",
		"",
		"Goroutine 9 (running) created at:",
		"  fake/exercises/01-x.TestRace()",
		"      /work/book/exercises/01-x/store_test.go:12 +0xf9",
		"==================",
		"    testing.go:1712: race detected during execution of test",
		"--- FAIL: TestRace (0.00s)")...)
	list = append(list, testEvent{Action: "fail", Test: "TestRace"},
		testEvent{Action: "output", Output: "FAIL\n"},
		testEvent{Action: "fail"})

	res := reportOf(t, events(t, list...), "")
	assert.False(t, res.passed)
	assert.Equal(t, strings.Join([]string{
		"--- FAIL: TestRace",
		"    " + raceExplained,
		"    WARNING: DATA RACE",
		"    Write at 0x00c00009e198 by goroutine 9:",
		"        at exercises/01-x/store.go:8",
		"    Goroutine 9 (running) created at:",
		"        at exercises/01-x/store_test.go:12",
		"    testing.go:1712: race detected during execution of test",
	}, "\n"), res.report)
}

func TestAFailingSubtestIsNamedOnce(t *testing.T) {
	var list []testEvent
	list = append(list, testEvent{Action: "run", Test: "TestReply"},
		testEvent{Action: "run", Test: "TestReply/17"},
		testEvent{Action: "pass", Test: "TestReply/17"},
		testEvent{Action: "run", Test: "TestReply/4j"})
	list = append(list, outputs("TestReply/4j", "    reply_test.go:9: got T, want E")...)
	list = append(list, testEvent{Action: "fail", Test: "TestReply/4j"},
		testEvent{Action: "fail", Test: "TestReply"},
		testEvent{Action: "fail"})
	res := reportOf(t, events(t, list...), "")
	assert.Equal(t, "--- FAIL: TestReply/4j\n    reply_test.go:9: got T, want E", res.report)
}

func TestTheTimeLimitNamesTheStuckSubtest(t *testing.T) {
	var list []testEvent
	list = append(list, testEvent{Action: "run", Test: "TestServe"},
		testEvent{Action: "run", Test: "TestServe/shutdown"})
	list = append(list, outputs("TestServe/shutdown",
		"panic: test timed out after 30s",
		"\trunning tests:",
		"\t\tTestServe/shutdown (30s)",
		"",
		"goroutine 17 [running]:",
		"testing.(*M).startAlarm.func1()")...)
	list = append(list, testEvent{Action: "fail"})
	res := reportOf(t, events(t, list...), "")
	assert.True(t, strings.HasPrefix(res.report,
		"--- FAIL: TestServe/shutdown did not finish within the time limit of 30s\n"), res.report)
	assert.NotContains(t, res.report, "goroutine")
}

func TestWhatGoTestJSONCannotDescribeIsShownAsGoSaysIt(t *testing.T) {
	// No events at all: a broken go.mod, say.
	res := reportOf(t, nil, "go: errors parsing go.mod\n")
	assert.False(t, res.passed)
	assert.Equal(t, "go: errors parsing go.mod", res.report)

	// Build output with nothing but headers.
	stream := events(t,
		testEvent{Action: "build-output", ImportPath: "fake/exercises/01-x [fake/exercises/01-x.test]", Output: "# fake/exercises/01-x\n"},
		testEvent{Action: "build-fail", ImportPath: "fake/exercises/01-x [fake/exercises/01-x.test]"},
		testEvent{Action: "fail"})
	res = reportOf(t, stream, "exit status 1\n")
	assert.Equal(t, "exit status 1", res.report)
}
