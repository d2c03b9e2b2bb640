//go:build unix

// The classroom's promises on a teacher's laptop busy with other work,
// stood in for by loops that spin beside the server: the server runs
// as a process of its own, stopped by real signals, which Windows
// cannot send.

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
	"workbook/prime"
)

// busyEnv, set in a process's environment, tells a test binary to
// spin for ever instead of testing (see TestMain).
const busyEnv = "WORKBOOK_BUSY_LOOP"

// A busy loop is this test binary, started again with busyEnv: it
// spins until it is killed.
func init() {
	if os.Getenv(busyEnv) != "" {
		//lint:ignore SA5002 spinning is this process's whole job
		for {
		}
	}
}

// busyTestsEnv, set to 1, runs the busy-machine tests, which mean
// something only when nothing else runs beside them: .ci/run runs them
// alone, after the other tests.
const busyTestsEnv = "WORKBOOK_BUSY_TESTS"

// busyLoops starts five spinning processes for each processor, until
// the test ends: the machine is busy with other work.
func busyLoops(t *testing.T) {
	t.Helper()
	if os.Getenv(busyTestsEnv) != "1" {
		t.Skipf("a busy-machine test runs alone, with %s=1 "+
			"(go test -run OnABusyMachine ./04-persistent-conn)", busyTestsEnv)
	}
	if raceDetector {
		t.Skip("the race detector makes the server several times slower: " +
			"the classroom's promises are for the program built without it")
	}
	self, err := os.Executable()
	require.NoError(t, err)
	for range 5 * runtime.NumCPU() {
		loop := exec.Command(self)
		loop.Env = append(os.Environ(), busyEnv+"=1")
		require.NoError(t, loop.Start())
		t.Cleanup(func() {
			_ = loop.Process.Kill()
			_ = loop.Wait()
		})
	}
}

// serverProcess runs this chapter's server command, with flags, as a
// process of its own on a free loopback port, logging to logPath.
func serverProcess(t *testing.T, logPath string) (addr string, server *exec.Cmd, stderr *testkit.SyncBuffer) {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	addr = testkit.FreeAddr(t)
	server = exec.Command(self, "server", "-addr", addr, "-quiet", "-log", logPath, "-log-max", "2GB")
	server.Env = append(os.Environ(), serverProcessEnv+"=1")
	stderr = new(testkit.SyncBuffer)
	server.Stderr = stderr
	require.NoError(t, server.Start())
	t.Cleanup(func() {
		_ = server.Process.Kill()
		_ = server.Wait()
	})
	require.NoError(t, waitUntilServing(addr))
	return addr, server, stderr
}

// The replies the clients read, and how each client's connection
// ended.
type tally struct {
	connected                    atomic.Int64
	replies, wrong, eofs, resets atomic.Int64
	mu                           sync.Mutex
	others                       []error
}

// pipelineUntilTheEnd sends request in batches of batch on one
// connection from laptop, batches times (0: until the server ends
// the connection), while it reads and checks every reply, and counts
// in tally how the connection ended.
func pipelineUntilTheEnd(laptop, addr, request string, batch, batches int, counts *tally) {
	// A busy machine is slow to connect, too.
	dialer := net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(laptop)},
		Timeout:   30 * time.Second,
	}
	conn, err := dialer.Dial("tcp", addr)
	if err != nil {
		counts.mu.Lock()
		counts.others = append(counts.others, err)
		counts.mu.Unlock()
		return
	}
	defer conn.Close()
	counts.connected.Add(1)
	want := string(prime.Judge([]byte(request)).Reply())
	go func() {
		requests := []byte(strings.Repeat(request, batch))
		for i := 0; batches == 0 || i < batches; i++ {
			if _, err := conn.Write(requests); err != nil {
				return
			}
		}
		// All sent: the server ends the connection once it has
		// answered.
		_ = conn.(*net.TCPConn).CloseWrite()
	}()
	replies := bufio.NewReader(conn)
	for {
		reply, err := replies.ReadString('\n')
		switch {
		case err == nil && reply == want:
			counts.replies.Add(1)
			continue
		case err == nil:
			counts.wrong.Add(1)
			continue
		case errors.Is(err, io.EOF) && reply == "":
			counts.eofs.Add(1)
		case errors.Is(err, syscall.ECONNRESET):
			counts.resets.Add(1)
		default:
			counts.mu.Lock()
			counts.others = append(counts.others, fmt.Errorf("after %q: %w", reply, err))
			counts.mu.Unlock()
		}
		return
	}
}

// logLines counts the lines of the log at path.
func logLines(t *testing.T, path string) int64 {
	t.Helper()
	content, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, len(content) == 0 || bytes.HasSuffix(content, []byte("\n")), "a cut line")
	return int64(bytes.Count(content, []byte("\n")))
}

// On a busy machine, the server's log has one whole line for every
// request it answered: a log writer short of CPU makes the answering
// wait, rather than lose lines.
func TestOnABusyMachineTheLogHasALineForEveryAnswer(t *testing.T) {
	testkit.NeedLaptops(t)
	busyLoops(t)
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	addr, server, stderr := serverProcess(t, logPath)

	// 10 laptops, 16 connections each, each pipelining 100 batches
	// of 64 requests: 1,024,000 requests, 46 MB of log.
	var counts tally
	var wait sync.WaitGroup
	for laptop := range 10 {
		for range 16 {
			wait.Go(func() {
				pipelineUntilTheEnd(fmt.Sprintf("127.0.3.%d", 1+laptop), addr, "97\n", 64, 100, &counts)
			})
		}
	}
	wait.Wait()
	require.NoError(t, server.Process.Signal(os.Interrupt))
	require.NoError(t, server.Wait(), stderr.String())

	assert.Empty(t, counts.others)
	assert.Zero(t, counts.wrong.Load())
	assert.Equal(t, int64(10*16*100*64), counts.replies.Load())
	assert.Equal(t, counts.replies.Load(), logLines(t, logPath), stderr.String())
	assert.NotContains(t, stderr.String(), "not in")
}

// A hundred digits: a number that takes its turn.
const bigRequest = "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000267\n"

// Ctrl-C, SIGTERM or SIGHUP (a closed terminal window) on a busy
// machine, while 320 clients pipeline numbers that take their turns:
// the server exits 0 within its 3 seconds, every client ends at the
// end of the data, never a reset, and the log has exactly one line
// for each reply a client read.
func TestOnABusyMachineStoppingIsHonest(t *testing.T) {
	testkit.NeedLaptops(t)
	for _, signal := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(signal.String(), func(t *testing.T) {
			busyLoops(t)
			logPath := filepath.Join(t.TempDir(), "prime_server.log")
			addr, server, stderr := serverProcess(t, logPath)

			var counts tally
			var wait sync.WaitGroup
			for laptop := range 10 {
				for range 32 {
					wait.Go(func() {
						pipelineUntilTheEnd(fmt.Sprintf("127.0.4.%d", 1+laptop), addr, bigRequest, 16, 0, &counts)
					})
				}
			}
			// Stop once every client is connected and the server
			// is busy answering.
			require.Eventually(t, func() bool {
				return counts.connected.Load() == 10*32 && counts.replies.Load() >= 100
			}, 30*time.Second, time.Millisecond)
			start := time.Now()
			require.NoError(t, server.Process.Signal(signal))
			err := server.Wait()
			took := time.Since(start)
			wait.Wait()

			require.NoError(t, err, stderr.String())
			assert.Less(t, took, 3*time.Second, "the server promises to exit within 3 seconds")
			assert.Empty(t, counts.others)
			assert.Zero(t, counts.resets.Load(), "clients reset")
			assert.Zero(t, counts.wrong.Load())
			assert.Equal(t, int64(10*32), counts.eofs.Load())
			assert.Equal(t, counts.replies.Load(), logLines(t, logPath), stderr.String())
			t.Logf("%v: exit 0 in %v, %d replies read and logged", signal, took.Round(time.Millisecond), counts.replies.Load())
		})
	}
}
