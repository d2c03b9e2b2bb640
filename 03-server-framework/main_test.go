package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
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
	goleak.VerifyTestMain(m)
}

func TestDemoTranscript(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	testkit.CheckTranscript(t, "README.md", "demo", stdout.String())
}

// askHandler runs the server command with the default settings and
// no log, sends request on one connection, and returns the reply and
// what the screen showed.
func askHandler(t *testing.T, request string) (reply, screen string) {
	t.Helper()
	addr, stop := testkit.StartServer(t, run, "-log", "off")
	client, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer client.Close()
	require.NoError(t, client.SetDeadline(time.Now().Add(5*time.Second)))
	// Write in the background: a too long request is not read to
	// its end.
	go func() {
		_, _ = client.Write([]byte(request))
	}()
	got, err := io.ReadAll(client)
	require.NoError(t, err)
	stopped := stop()
	require.Equal(t, 0, stopped.Code, stopped.Stderr)
	return string(got), stopped.Stdout
}

func TestPrimeHandler(t *testing.T) {
	cases := []struct{ request, reply, shown string }{
		{"17\n", "T\n", `sent "17\n": T`},
		{"4\n", "F\n", `sent "4\n": F`},
		{"4j\n", "E\n", `sent "4j\n": E`},
		{"17\r\n", "T\n", `sent "17\r\n": T`},
		{"\x1b[2J\x1b[31mhi\n", "E\n", `sent "\x1b[2J\x1b[31mhi\n": E`},
		{"\x00\xff\n", "E\n", `sent "\x00\xff\n": E`},
		{strings.Repeat("7", 5000), "E\n",
			`sent "7777777777777777777777777777777777777777"... (no newline in 1,024 bytes): E`},
		// Look-alike quote and backslash, combining marks: escaped.
		{"\uff02 \uff3c e\u0301\u0489\n", "E\n", `sent "\uff02 \uff3c e\u0301\u0489\n": E`},
		// A long line of NULs: a bounded prefix and its size.
		{strings.Repeat("\x00", 1019) + "\n", "E\n", `sent "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"... (1,020 bytes): E`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%.20q", c.request), func(t *testing.T) {
			reply, screen := askHandler(t, c.request)
			assert.Equal(t, c.reply, reply)
			assert.Contains(t, screen, c.shown)
			// Nothing raw reaches the screen: printable ASCII
			// only, and no line longer than a projector's.
			for line := range strings.Lines(screen) {
				line = strings.TrimSuffix(line, "\n")
				assert.Regexp(t, `^[ -~]*$`, line)
				assert.LessOrEqual(t, len(line), 120, line)
			}
		})
	}
}

func TestServerCommandLogsEveryRequestOnItsOwnLine(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "prime_server.log")
	addr, stop := testkit.StartServer(t, run, "-log", logPath)

	testkit.NeedLaptops(t)
	// 50 clients at once, from five laptops: each laptop stays
	// within its 32 connections.
	const clients, laptops = 50, 5
	var wait sync.WaitGroup
	for i := range clients {
		wait.Add(1)
		go func() {
			defer wait.Done()
			laptop := fmt.Sprintf("127.0.0.%d", 1+i%laptops)
			reply, err := askFrom(laptop, addr, fmt.Sprintf("%d\n", i))
			assert.NoError(t, err)
			assert.Contains(t, []string{"T\n", "F\n"}, reply)
		}()
	}
	wait.Wait()
	stopped := stop()
	require.Equal(t, 0, stopped.Code, "stderr: %s", stopped.Stderr)

	content, err := os.ReadFile(logPath)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(content), "\n"),
		"\n")
	require.Len(t, lines, clients)
	// Date, time, client, request quoted, verdict: whole lines,
	// never two mixed together.
	shape := regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d 127\.0\.0\.\d:\d+ "\d+\\n" [TF]$`)
	for _, line := range lines {
		assert.Regexp(t, shape, line)
	}
}

// askFrom sends request from the loopback address laptop (on Linux,
// all of 127.0.0.0/8 is this machine) and returns the reply.
func askFrom(laptop, addr, request string) (string, error) {
	dialer := net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(laptop)},
		Timeout:   5 * time.Second,
	}
	conn, err := dialer.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return "", err
	}
	if _, err := conn.Write([]byte(request)); err != nil {
		return "", err
	}
	reply, err := io.ReadAll(conn)
	return string(reply), err
}

func TestServerCommandWithoutLog(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	addr, stop := testkit.StartServer(t, run, "-log", "off")
	reply, err := askOnce(addr, "17\n", 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "T\n", string(reply))
	assert.Equal(t, 0, stop().Code)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "no log file expected")
}

func TestServerCommandShutsDownGracefully(t *testing.T) {
	addr, stop := testkit.StartServer(t, run, "-log", "off")

	// An idle client is connected when the server is told to stop.
	idle, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer idle.Close()

	stopped := stop()
	assert.Equal(t, 0, stopped.Code, "stderr: %s", stopped.Stderr)
	assert.Contains(t, stopped.Stdout, "server | shutting down")
	assert.Contains(t, stopped.Stdout, "server | stopped")

	// The idle client was let go.
	require.NoError(t, idle.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = idle.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)
}

func TestServerCommandReportsAPortInUse(t *testing.T) {
	testkit.CheckPortInUse(t, run, "-log", "off")
}

func TestServerCommandNamesEachBadSetting(t *testing.T) {
	// No setting below is valid, so no log file is opened.
	dir := t.TempDir()
	t.Chdir(dir)
	for args, want := range map[string]string{
		"extra":                  `server: unexpected argument "extra"`,
		"-quiet extra more":      `server: unexpected argument "extra"`,
		"-max-line-bytes 0":      "server: -max-line-bytes must be between 16 and 65536, not 0",
		"-max-line-bytes 15":     "server: -max-line-bytes must be between 16 and 65536, not 15",
		"-idle-timeout 0s":       "server: -idle-timeout must be above zero, not 0s",
		"-idle-timeout -1s":      "server: -idle-timeout must be above zero, not -1s",
		"-max-conns 0":           "server: -max-conns must be at least 1, not 0",
		"-max-conns -1":          "server: -max-conns must be at least 1, not -1",
		"-max-conns-per-host 0":  "server: -max-conns-per-host must be at least 1, not 0",
		"-max-conns-per-host -1": "server: -max-conns-per-host must be at least 1, not -1",
		"-log-max 999":           "server: -log-max must be at least 1kB, not 999",
		// A number has at most 100 digits: 64 KiB is plenty,
		// and 2 GB per connection is what a typo could cost.
		"-max-line-bytes 65537":      "server: -max-line-bytes must be between 16 and 65536, not 65537",
		"-max-line-bytes 2000000000": "server: -max-line-bytes must be between 16 and 65536, not 2000000000",
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"server"}, strings.Fields(args)...), &stdout, &stderr)
		assert.Equal(t, 2, code, args)
		assert.Equal(t, want+"\n", stderr.String(), args)
		assert.Empty(t, stdout.String(), args)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "a server that did not start left a log file")
}

func TestClientCommandReportsEachReply(t *testing.T) {
	addr, stop := testkit.StartServer(t, run, "-log", "off")
	defer stop()

	var stdout, stderr bytes.Buffer
	code := run(context.Background(),
		[]string{"client", "-addr", addr, "7", "8", "x"},
		&stdout, &stderr)
	assert.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"),
		"\n")
	require.Len(t, lines, 3)
	assert.Contains(t, lines[0], `"7\n" -> "T\n" prime`)
	assert.Contains(t, lines[1], `"8\n" -> "F\n" not prime`)
	assert.Contains(t, lines[2], `"x\n" -> "E\n" not an integer`)
}

// TIME_WAIT stays with the side that closes first. This server
// hangs up first, after its one reply, and the client waits for that
// before it closes: the server's side of each connection waits
// there, never the client's, whose ports are free at once.
func TestTimeWaitStaysOnTheServersSide(t *testing.T) {
	addr, stop := testkit.StartServer(t, run, "-log", "off")
	defer stop()
	_, portText, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	port, err := strconv.Atoi(portText)
	require.NoError(t, err)
	// The port may have served before: entries from those old
	// connections can still be waiting. Count only the new ones.
	oldServerSide, oldClientSide := testkit.TimeWait(t, port)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(),
		[]string{"client", "-addr", addr, "7", "8", "9"},
		&stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())

	// Three connections: three server ends in TIME_WAIT, once the
	// last packets have crossed.
	serverSide, clientSide := testkit.WaitForTimeWait(t, port,
		func(serverSide, clientSide int) bool { return serverSide-oldServerSide >= 3 })
	serverSide -= oldServerSide
	clientSide -= oldClientSide
	t.Logf("in TIME_WAIT, new: %d on the server's side, %d on the client's", serverSide, clientSide)
	assert.Equal(t, 3, serverSide)
	assert.Zero(t, clientSide)
}

func TestClientTellsAServerItCannotUnderstand(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer listener.Close()
	replies := []string{"T", "yes\n", strings.Repeat("T", 100)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, reply := range replies {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			_, _ = bufio.NewReader(conn).ReadString('\n')
			_, _ = conn.Write([]byte(reply))
			conn.Close()
		}
	}()

	var stdout, stderr bytes.Buffer
	args := []string{"client", "-addr", listener.Addr().String(),
		"1", "2", "3"}
	code := run(context.Background(), args, &stdout, &stderr)
	<-done
	assert.Equal(t, 1, code)
	output := stdout.String()
	assert.Contains(t, output,
		`no reply: the server closed the connection after "T"`)
	assert.Contains(t, output, `-> "yes\n" not understood`)
	assert.Contains(t, output, `no reply: reply too long`)
}

func TestClientCannotConnect(t *testing.T) {
	addr := testkit.FreeAddr(t)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(),
		[]string{"client", "-addr", addr, "7"}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout.String(), "no reply: cannot connect: ")
}

func TestUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve"},
		&stdout, &stderr)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr.String(), "usage:")
}

func TestHelpExitsZeroOnStdout(t *testing.T) {
	for _, args := range [][]string{
		{"-h"}, {"help"}, {"server", "-h"}, {"client", "-h"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		assert.Equal(t, 0, code, "%v", args)
		assert.Contains(t, stdout.String(), "usage", "%v", args)
		assert.Empty(t, stderr.String(), "%v", args)
	}
}

// The framework is a lesson, read in one sitting: at most 400 lines,
// comments included. The README gives its length, and the main path's,
// as they are.
func TestTheFrameworkIsShortAndTheREADMESaysHowShort(t *testing.T) {
	lines := func(path string) int {
		t.Helper()
		content, err := os.ReadFile(path)
		require.NoError(t, err)
		return bytes.Count(content, []byte("\n"))
	}
	framework := 0
	files, err := filepath.Glob(filepath.Join("tcpserver", "*.go"))
	require.NoError(t, err)
	for _, file := range files {
		if !strings.HasSuffix(file, "_test.go") {
			framework += lines(file)
		}
	}
	assert.LessOrEqual(t, framework, 400)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(readme)), " ")
	assert.Contains(t, text, fmt.Sprintf("[`tcpserver`](tcpserver/) is %d lines, comments included", framework))
	assert.Contains(t, text, fmt.Sprintf("%d lines with their comments", framework))
	assert.Contains(t, text, fmt.Sprintf("That is %d lines of Go", framework+lines("server.go")))
}
