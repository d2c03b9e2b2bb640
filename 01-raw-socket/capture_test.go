package main

import (
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

// The README's tcpdump capture of `client 17`, taken again: it needs
// Linux, root and tcpdump, and is skipped elsewhere.
func TestCaptureTranscript(t *testing.T) {
	// It waits for tcpdump: beside the other tests.
	t.Parallel()
	skipUnlessLinux(t)
	if os.Geteuid() != 0 {
		t.Skip("tcpdump needs root")
	}
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not installed")
	}
	addr := testkit.FreeAddr(t)
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)

	// The README's command, on this test's port.
	capture := exec.Command(tcpdump, "-i", "lo", "-n", "-t", "-l", "tcp port "+port)
	var packets, status testkit.SyncBuffer
	capture.Stdout, capture.Stderr = &packets, &status
	require.NoError(t, capture.Start())
	t.Cleanup(func() {
		_ = capture.Process.Kill()
		_ = capture.Wait()
	})
	require.Eventually(t, func() bool {
		return strings.Contains(status.String(), "listening on")
	}, 10*time.Second, 10*time.Millisecond, "tcpdump: %s", status.String())

	// The server in one goroutine, the client in this one.
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"server", "-addr", addr}, io.Discard, io.Discard)
	}()
	require.Eventually(t, func() bool { return listening(t, port) },
		5*time.Second, 10*time.Millisecond)
	require.Equal(t, 0, run([]string{"client", "-addr", addr, "17"}, io.Discard, io.Discard))
	require.Equal(t, 0, <-code)

	// Ten packets make the conversation; give tcpdump time to
	// print them, then stop it.
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(packets.String(), "\n") < 10 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, capture.Process.Signal(os.Interrupt))
	_ = capture.Wait()

	testkit.CheckTranscript(t, "README.md", "tcpdump", shortPackets(packets.String(), port))
}

var clientAddress = regexp.MustCompile(`127\.0\.0\.1\.\d+`)

// shortPackets does what the README's awk does: it keeps the
// addresses, the flags and the length of each packet. The server's
// port becomes 8809, as in the README's command, and the client's
// becomes PORT.
func shortPackets(packets, serverPort string) string {
	var short strings.Builder
	for _, line := range strings.Split(packets, "\n") {
		f := strings.Fields(line)
		if len(f) <= 6 {
			continue
		}
		short.WriteString(strings.Join([]string{f[1], f[2], f[3], f[5], f[len(f)-2], f[len(f)-1]}, " ") + "\n")
	}
	shown := strings.ReplaceAll(short.String(), "127.0.0.1."+serverPort, "127.0.0.1.SERVER")
	shown = clientAddress.ReplaceAllString(shown, "127.0.0.1.PORT")
	return strings.ReplaceAll(shown, "127.0.0.1.SERVER", "127.0.0.1.8809")
}
