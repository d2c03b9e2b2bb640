//go:build linux

// On Linux, Go waits for a named pipe through its poller, so closing
// the file ends a write stuck on it; elsewhere the log's goroutine
// would stay stuck in the write until the program exits.

package classroom

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

func TestALogNobodyReadsHoldsUpNeitherServingNorCtrlC(t *testing.T) {
	// It waits for the file to count as stuck: beside the other tests.
	t.Parallel()
	// The log is a named pipe whose reader never reads: once the
	// pipe's buffer is full, every write to it waits, as it does
	// with `-log /dev/stdout` when nobody reads the output.
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	require.NoError(t, syscall.Mkfifo(logPath, 0o600))
	reader, err := os.OpenFile(logPath, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	require.NoError(t, err)
	defer reader.Close()

	var stdout, stderr testkit.SyncBuffer
	addr, stop := startServer(t, &stdout, &stderr, "-log", logPath)
	// 80,000 requests make 3.6 MB of log, far more than the pipe
	// holds.
	const clients, requests = 4, 20_000
	var wait sync.WaitGroup
	answered := make([]int, clients)
	for i := range clients {
		wait.Go(func() { answered[i] = pipeline(t, addr, "", requests) })
	}
	wait.Wait()
	for i := range clients {
		assert.Equal(t, requests, answered[i], "client %d", i)
	}
	// A fresh client is still answered.
	assert.Equal(t, 1, pipeline(t, addr, "", 1))

	// Ctrl-C: the server exits, without the lines the pipe did not
	// take, and says how many requests are missing from the log.
	require.Equal(t, 0, stop(), stderr.String())
	missing := regexp.MustCompile(`server: ([\d,]+) answered requests are not in ` + regexp.QuoteMeta(logPath) + "\n")
	m := missing.FindStringSubmatch(stderr.String())
	require.NotNil(t, m, stderr.String())
	notLogged, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	require.NoError(t, err)

	// What the pipe took is whole lines, and with the count, every
	// answered request.
	require.NoError(t, reader.SetReadDeadline(time.Now().Add(10*time.Second)))
	content, err := io.ReadAll(reader)
	require.NoError(t, err)
	for line := range strings.Lines(string(content)) {
		require.Regexp(t, logLine, strings.TrimSuffix(line, "\n"))
		require.True(t, strings.HasSuffix(line, "\n"), "a cut line: %q", line)
	}
	assert.Positive(t, notLogged)
	assert.Equal(t, clients*requests+1, strings.Count(string(content), "\n")+notLogged)
}

func TestANamedPipeNobodyReadsIsRefusedAtOnce(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	require.NoError(t, syscall.Mkfifo(logPath, 0o600))

	var stdout, stderr testkit.SyncBuffer
	code := make(chan int, 1)
	go func() {
		args := []string{"-addr", "127.0.0.1:0", "-log", logPath}
		code <- runServer(context.Background(), args, &stdout, &stderr)
	}()
	select {
	case c := <-code:
		assert.Equal(t, 1, c)
	case <-time.After(10 * time.Second):
		t.Fatal("the server waited for someone to read the log")
	}
	assert.Equal(t, "server: cannot open the log: "+logPath+" is a named pipe that nobody reads\n", stderr.String())
}
