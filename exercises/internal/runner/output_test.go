package runner

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

func TestCutsSayHowMuchIsLeftOut(t *testing.T) {
	assert.Equal(t, "a\nb\n... (1 more line)", cut("a\nb\nc", 2))
	assert.Equal(t, "a\n... (2 more lines)", cut("a\nb\nc", 1))
	assert.Equal(t, "a\nb", cut("a\nb", 2))

	assert.Equal(t, strings.Repeat("x", 200)+"… (1 more character)",
		shorten(strings.Repeat("x", 201), 0))
	assert.Equal(t, strings.Repeat("x", 200)+"… (3 more characters)",
		shorten(strings.Repeat("x", 201), 2))
	assert.Equal(t, strings.Repeat("x", 200), shorten(strings.Repeat("x", 200), 0))

	// Characters of several bytes are counted, and never cut.
	accents := shorten(strings.Repeat("é", 205), 0)
	assert.True(t, utf8.ValidString(accents))
	assert.Equal(t, strings.Repeat("é", 200)+"… (5 more characters)", accents)
}

func TestALineArrivingInPiecesIsKeptWholeCharactersOnly(t *testing.T) {
	var line lineSoFar
	// Pieces of 3 bytes, each cutting a 2-byte character in two,
	// as go test -json may cut a long line anywhere.
	text := strings.Repeat("é", 3000)
	for i := 0; i < len(text); i += 3 {
		line.add(text[i:min(i+3, len(text))])
	}
	assert.True(t, utf8.Valid(line.text))
	assert.LessOrEqual(t, len(line.text), keptOfALine)
	assert.Equal(t, 3000, utf8.RuneCount(line.text)+line.more)
}

// outputEvent is one line of go test -json for test TestLoud of
// exercise 01-x.
func outputEvent(t *testing.T, text string) []byte {
	t.Helper()
	line, err := json.Marshal(testEvent{Action: "output",
		Package: "fake/exercises/01-x", Test: "TestLoud", Output: text})
	require.NoError(t, err)
	return append(line, '\n')
}

func TestWhatATestPrintsIsNotAllKept(t *testing.T) {
	output := newTestOutput("/work/book")
	write := func(p []byte) {
		_, err := output.Write(p)
		require.NoError(t, err)
	}
	write([]byte(`{"Action":"run","Package":"fake/exercises/01-x","Test":"TestLoud"}` + "\n"))
	// 100,000 lines, and one line of 64 MB in pieces of 4 KB, as
	// go test -json cuts it, the JSON itself written in pieces.
	for i := range 100000 {
		write(outputEvent(t, strings.Repeat("y", i%100)+"\n"))
	}
	piece := outputEvent(t, strings.Repeat("z", 4096))
	for range 16 << 10 {
		write(piece[:100])
		write(piece[100:])
	}
	write(outputEvent(t, "\n"))
	write([]byte(`{"Action":"fail","Package":"fake/exercises/01-x","Test":"TestLoud"}` + "\n"))

	// What is kept: a dozen lines of the test's output...
	run := output.runs["01-x"]
	require.NotNil(t, run)
	assert.Equal(t, mostLinesInTest, len(run.output["TestLoud"].kept))
	// (Of the 100,000, 1,000 are empty and not shown; the long line
	// is one more.)
	assert.Equal(t, 99000+1-mostLinesInTest, run.output["TestLoud"].more)
	// ...and no line in pieces, nor any JSON line pending.
	assert.Empty(t, output.partial)
	assert.Empty(t, output.pending)

	report := output.of(exercise{name: "01-x"}, TimeLimit).report
	assert.Contains(t, report, "--- FAIL: TestLoud\n    y\n    yy\n")
	assert.Contains(t, report, "... (98989 more lines)")
}

func TestAJSONLineTooLongIsDropped(t *testing.T) {
	output := newTestOutput("/work/book")
	huge := append([]byte(`{"Action":"output","Output":"`),
		strings.Repeat("q", longestEvent)...)
	_, err := output.Write(huge)
	require.NoError(t, err)
	_, err = output.Write([]byte("\"}\n"))
	require.NoError(t, err)
	assert.Empty(t, output.pending)
	assert.Empty(t, output.runs)
	// The next line is read again.
	_, err = output.Write([]byte(`{"Action":"pass","Package":"fake/exercises/01-x"}` + "\n"))
	require.NoError(t, err)
	assert.True(t, output.runs["01-x"].passed)
}

// loudTest prints 100 MB, in lines of 1 KB and in one line of 16 MB,
// then fails.
const loudTest = `package code

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestLoud(t *testing.T) {
	out := bufio.NewWriter(os.Stdout)
	line := strings.Repeat("y", 1023) + "\n"
	for range 84 << 10 {
		out.WriteString(line)
	}
	out.WriteString(strings.Repeat("z", 16<<20) + "\n")
	out.Flush()
	t.Error("loud")
}
`

func TestATestThatPrints100MBCostsTheRunnerLittle(t *testing.T) {
	// It measures the memory of its whole process.
	if !testkit.Alone(t) {
		return
	}
	module := fakeModule(t)
	exerciseOf(t, module, "01-loud", noFlags, "package code\n", loudTest)
	r, _ := realRunner(t, module)
	// What is measured is memory, not time: a slow machine (or
	// Wine, whose pipes are slow) may take more than the limit to
	// pass 100 MB along.
	r.limit = 10 * time.Minute

	// The most memory the runner holds while go test runs.
	var peak atomic.Uint64
	done := make(chan struct{})
	var sampling sync.WaitGroup
	sampling.Go(func() {
		for {
			var stats runtime.MemStats
			runtime.ReadMemStats(&stats)
			if stats.HeapInuse > peak.Load() {
				peak.Store(stats.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})
	results, err := r.goTest(context.Background(), []job{{ex: r.exercises[0]}})
	close(done)
	sampling.Wait()
	require.NoError(t, err)

	report := results["01-loud"].report
	assert.Contains(t, report, "--- FAIL: TestLoud\n    yyyy")
	assert.Contains(t, report, "… (823 more characters)")
	// 86,016 lines of y, one of z, one message, 12 of them shown.
	assert.Contains(t, report, "    ... (86006 more lines)")
	// 100 MB went by; what the runner kept is a few kilobytes.
	assert.Less(t, peak.Load(), uint64(16<<20), "peak heap in use")
	t.Logf("peak heap in use: %d KiB", peak.Load()>>10)
}
