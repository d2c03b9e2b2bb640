package classroom

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
	"workbook/prime"
)

// logLine is the shape of a request's line in the log.
var logLine = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d 127\.0\.0\.\d+:\d+ "97\\n" T$`)

func TestTheLogHasOneWholeLinePerAnsweredRequestAfterCtrlC(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	var stdout, stderr testkit.SyncBuffer
	addr, stop := startServer(t, &stdout, &stderr, "-log", logPath)

	const clients, requests = 8, 5000
	var wait sync.WaitGroup
	var mu sync.Mutex
	answered := 0
	for range clients {
		wait.Go(func() {
			n := pipeline(t, addr, "", requests)
			mu.Lock()
			answered += n
			mu.Unlock()
		})
	}
	wait.Wait()
	require.Equal(t, 0, stop(), stderr.String())
	assert.Equal(t, clients*requests, answered)

	// Written when the server stopped: every line, whole.
	content, err := os.ReadFile(logPath)
	require.NoError(t, err)
	require.True(t, bytes.HasSuffix(content, []byte("\n")))
	lines := strings.Split(strings.TrimSuffix(string(content), "\n"), "\n")
	assert.Len(t, lines, answered)
	for _, line := range lines {
		if !logLine.MatchString(line) {
			t.Fatalf("not a whole log line: %q", line)
		}
	}
}

// diskFull is a log file on a disk that fills up after room bytes:
// the write that crosses it writes what fits, cutting a line, and
// fails, as write(2) does on a full disk.
type diskFull struct {
	written  bytes.Buffer
	room     int
	failures int
}

func (d *diskFull) Write(p []byte) (int, error) {
	fits := min(len(p), d.room-d.written.Len())
	d.written.Write(p[:fits])
	if fits < len(p) {
		d.failures++
		return fits, &os.PathError{Op: "write", Path: "prime_server.log", Err: syscall.ENOSPC}
	}
	return fits, nil
}

func (d *diskFull) Truncate(size int64) error {
	d.written.Truncate(int(size))
	return nil
}

// warnings records what the log says went wrong.
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) warn(problem string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, problem)
}

func TestAFullDiskIsSaidOnceAndNoLineIsCut(t *testing.T) {
	disk := &diskFull{room: 100_000}
	var said warnings
	requestLog := newRequestLog(&logFile{out: disk}, "prime_server.log", 0, 100e6, said.warn)
	class := testClass(nil, requestLog)
	student := class.student("127.0.0.1:5000")
	const requests = 10_000
	for range requests {
		class.record(student, []byte("97\n"), false, prime.Prime)
	}
	require.NoError(t, requestLog.Close(time.Now().Add(10*time.Second)))

	require.Len(t, said.lines, 2, "%q", said.lines)
	assert.Equal(t, "cannot write prime_server.log: no space left on device; no more requests are logged, the server goes on answering", said.lines[0])
	// The file holds whole lines only; the others are counted.
	content := disk.written.String()
	require.True(t, strings.HasSuffix(content, "\n"))
	logged := strings.Count(content, "\n")
	assert.Less(t, logged, requests)
	for line := range strings.Lines(content) {
		assert.Regexp(t, `^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d 127\.0\.0\.1:5000 "97\\n" T\n$`, line)
	}
	assert.Equal(t, fmt.Sprintf("%s answered requests are not in prime_server.log", thousands(int64(requests-logged))), said.lines[1])
	// Once a write failed, the log tries no more.
	assert.Equal(t, 1, disk.failures)
}

func TestAFailingLogIsSaidOnceOnScreenAndStderrAndServingGoesOn(t *testing.T) {
	// /dev/full fails every write with "no space left on device".
	// (Windows has none; Wine shows Linux's, with its own words.)
	if _, err := os.Stat("/dev/full"); err != nil || runtime.GOOS == "windows" {
		t.Skip("no /dev/full here")
	}
	var stdout, stderr testkit.SyncBuffer
	addr, stop := startServer(t, &stdout, &stderr, "-log", "/dev/full")
	const requests = 20_000
	assert.Equal(t, requests, pipeline(t, addr, "", requests))
	// After the failure, a fresh client is still answered.
	assert.Equal(t, 1, pipeline(t, addr, "", 1))
	assert.Equal(t, 0, stop())

	failure := "cannot write /dev/full: no space left on device; no more requests are logged, the server goes on answering"
	assert.Equal(t, 1, strings.Count(stdout.String(), "server | "+failure+"\n"), stdout.String())
	assert.Equal(t, 1, strings.Count(stderr.String(), "server: "+failure+"\n"), stderr.String())
	assert.Contains(t, stdout.String(), "answered requests are not in /dev/full")
}

func TestTheLogStopsAtItsSizeCapWithOneClearLine(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	var stdout, stderr testkit.SyncBuffer
	addr, stop := startServer(t, &stdout, &stderr, "-log", logPath, "-log-max", "5kB")
	const requests = 1000
	assert.Equal(t, requests, pipeline(t, addr, "", requests))
	assert.Equal(t, 0, stop(), stderr.String())

	content, err := os.ReadFile(logPath)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(content), 5000)
	lines := strings.Split(strings.TrimSuffix(string(content), "\n"), "\n")
	last := lines[len(lines)-1]
	assert.Regexp(t, `^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d the log reached -log-max \(5,000 bytes\): no more requests are logged$`, last)
	for _, line := range lines[:len(lines)-1] {
		assert.Regexp(t, logLine, line)
	}
	capped := "reached -log-max (5,000 bytes): no more requests are logged; the server goes on answering"
	assert.Equal(t, 1, strings.Count(stdout.String(), capped), stdout.String())
	assert.Equal(t, 1, strings.Count(stderr.String(), capped), stderr.String())
	notLogged := fmt.Sprintf("%s answered requests are not in", thousands(int64(requests-(len(lines)-1))))
	assert.Contains(t, stdout.String(), notLogged)
}

func TestNoLogFileWhenTheServerCannotListen(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()

	var stdout, stderr testkit.SyncBuffer
	code := runServer(context.Background(), []string{"-addr", taken.Addr().String()}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "cannot listen on")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "a server that did not start left a log file")

	// Nor when a flag is wrong.
	code = runServer(context.Background(), []string{"-log-max", "lots"}, &stdout, &stderr)
	assert.Equal(t, 2, code)
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestLogMaxFlag(t *testing.T) {
	for text, want := range map[string]int64{
		"100MB": 100e6, "5kB": 5000, "512KiB": 512 << 10, "1GiB": 1 << 30, "7000": 7000, "2GB": 2e9,
	} {
		var size byteSize
		require.NoError(t, size.Set(text), text)
		assert.Equal(t, want, int64(size), text)
	}
	for _, text := range []string{"", "lots", "-1MB", "1.5MB", "99999999999GB"} {
		var size byteSize
		assert.Error(t, size.Set(text), text)
	}
	size := byteSize(100e6)
	assert.Equal(t, "100MB", size.String())
}

// waitFor polls done until it is true, for at most 10 s.
func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting, after 10 s, for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAStuckLogFileHoldsUpNeitherRecordingNorClose(t *testing.T) {
	// It waits for the file to count as stuck: beside the other tests.
	t.Parallel()
	// A log file that takes no writes (a pipe nobody reads, a stuck
	// network disk) is like a terminal that stopped reading: every
	// Write waits until the test lets it go.
	file := stuckTerminal{release: make(chan struct{})}
	var said warnings
	requestLog := newRequestLog(file, "prime_server.log", 0, 100e6, said.warn)
	class := testClass(nil, requestLog)
	student := class.student("127.0.0.1:5000")

	// 400,000 requests make 18 MB of log, more than may wait for the
	// file. Recording waits for the file while it might be slow,
	// then no more: every request is recorded.
	const requests = 400_000
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		for range requests {
			class.record(student, []byte("97\n"), false, prime.Prime)
		}
	}()
	select {
	case <-recorded:
	case <-time.After(30 * time.Second):
		t.Fatal("recording waited for the stuck log file")
	}
	// What waits in memory stays bounded.
	spool := requestLog.spool
	spool.mu.Lock()
	waiting, writing := len(spool.waiting), len(spool.writing)
	spool.mu.Unlock()
	assert.LessOrEqual(t, waiting, logRoom)
	assert.LessOrEqual(t, writing, logRoom)

	// Close gives up on the file at its deadline.
	closed := make(chan error, 1)
	go func() { closed <- requestLog.Close(time.Now().Add(100 * time.Millisecond)) }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the stuck file")
	}
	// Said once each: that requests are left out, and why, then
	// how many: every one, since the file took not a single line.
	assert.Equal(t, []string{
		"prime_server.log has taken no write for 5s: requests are left out of it until it takes writes again; the server goes on answering",
		"400,000 answered requests are not in prime_server.log",
	}, said.lines)

	// Let the stuck write go, for goleak: the spool's goroutine
	// ends.
	close(file.release)
	waitFor(t, "the log's goroutine", func() bool {
		select {
		case <-spool.done:
			return true
		default:
			return false
		}
	})
}

// lateFile is a log file that takes no writes until the test
// releases it, then every write.
type lateFile struct {
	release chan struct{}
	written testkit.SyncBuffer
}

func (f *lateFile) Write(p []byte) (int, error) {
	<-f.release
	return f.written.Write(p)
}

func TestALogFileThatCatchesUpLogsAgainAndTheGapIsCounted(t *testing.T) {
	// It waits for the file to count as stuck: beside the other tests.
	t.Parallel()
	file := &lateFile{release: make(chan struct{})}
	var said warnings
	// A cap of 5 MB, far below the 18 MB the stuck file is offered:
	// what was left out does not count towards it.
	requestLog := newRequestLog(file, "prime_server.log", 0, 5e6, said.warn)
	class := testClass(nil, requestLog)
	student := class.student("127.0.0.1:5000")

	// While the file is stuck, requests beyond what may wait are
	// left out.
	const stuck, after = 400_000, 1000
	for range stuck {
		class.record(student, []byte("97\n"), false, prime.Prime)
	}
	// The file catches up: what waited is written...
	close(file.release)
	waitFor(t, "the waiting lines to be written", func() bool {
		requestLog.spool.mu.Lock()
		defer requestLog.spool.mu.Unlock()
		return len(requestLog.spool.waiting) == 0 && requestLog.spool.writing == nil
	})
	// ...and the next requests are logged again.
	for range after {
		class.record(student, []byte("97\n"), false, prime.Prime)
	}
	require.NoError(t, requestLog.Close(time.Now().Add(10*time.Second)))

	content := file.written.String()
	logged := strings.Count(content, "\n")
	for line := range strings.Lines(content) {
		assert.Regexp(t, `^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d 127\.0\.0\.1:5000 "97\\n" T\n$`, line)
	}
	assert.Greater(t, logged, after)
	assert.Less(t, logged, stuck)
	// Every request is in the file or in the count.
	require.Len(t, said.lines, 2, "%q", said.lines)
	assert.Contains(t, said.lines[0], "has taken no write for 5s")
	assert.Equal(t, fmt.Sprintf("%s answered requests are not in prime_server.log", thousands(int64(stuck+after-logged))), said.lines[1])
}

// Two servers started in one folder both log to prime_server.log by
// default. The first holds the file; the second says so and logs
// beside it, so that each file keeps -log-max, which counts what the
// file held when the server opened it.
func TestTwoServersInOneFolderEachKeepTheLogCap(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "prime_server.log")
	// Left by an earlier run: 15,000 bytes already.
	require.NoError(t, os.WriteFile(logPath, bytes.Repeat([]byte("an earlier line\n"), 1000)[:15000], 0o644))

	var stdout1, stderr1, stdout2, stderr2 testkit.SyncBuffer
	addr1, stop1 := startServer(t, &stdout1, &stderr1, "-log", logPath, "-log-max", "20kB")
	addr2, stop2 := startServer(t, &stdout2, &stderr2, "-log", logPath, "-log-max", "20kB")
	const requests = 2000
	assert.Equal(t, requests, pipeline(t, addr1, "", requests))
	assert.Equal(t, requests, pipeline(t, addr2, "", requests))
	require.Equal(t, 0, stop1(), stderr1.String())
	require.Equal(t, 0, stop2(), stderr2.String())

	second := filepath.Join(dir, "prime_server-2.log")
	assert.Contains(t, stdout2.String(), "server | "+logPath+" is in use by another server: this one logs to "+second+"\n")
	for _, path := range []string{logPath, second} {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.LessOrEqual(t, info.Size(), int64(20_000), path)
		content, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Contains(t, string(content), "the log reached -log-max (20,000 bytes)", path)
	}
}

// A server restarted on a log that is already over its cap logs
// nothing, and says so.
func TestALogAlreadyOverItsCapIsLeftAsItIs(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	old := bytes.Repeat([]byte("an earlier line\n"), 2000)
	require.NoError(t, os.WriteFile(logPath, old, 0o644))
	var stdout, stderr testkit.SyncBuffer
	addr, stop := startServer(t, &stdout, &stderr, "-log", logPath, "-log-max", "20kB")
	assert.Equal(t, 10, pipeline(t, addr, "", 10))
	require.Equal(t, 0, stop(), stderr.String())
	content, err := os.ReadFile(logPath)
	require.NoError(t, err)
	assert.Equal(t, old, content)
	assert.Contains(t, stderr.String(), logPath+" is already 32,000 bytes, too close to -log-max 20,000 for another line: no request is logged; move it away, or give -log another file")
}
