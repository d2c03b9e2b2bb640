package testkit

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TimeWait counts the IPv4 connections in TIME_WAIT that involve
// port, as the system lists them in /proc/net/tcp: on the side that
// owns port (serverSide), and on the side that talked to it
// (clientSide). The test is skipped where there is no /proc/net/tcp
// (any system but Linux).
func TimeWait(t testing.TB, port int) (serverSide, clientSide int) {
	t.Helper()
	file, err := os.Open("/proc/net/tcp")
	if err != nil {
		t.Skipf("no list of TCP connections to read: %v", err)
	}
	defer file.Close()
	// A line reads: "sl local_address rem_address st ...", the
	// addresses in hex as 0100007F:2269, the state in hex, and 06
	// is TIME_WAIT.
	hexPort := ":" + strings.ToUpper(strconv.FormatInt(int64(port), 16))
	for len(hexPort) < 5 {
		hexPort = ":0" + hexPort[1:]
	}
	lines := bufio.NewScanner(file)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) < 4 || fields[3] != "06" {
			continue
		}
		if strings.HasSuffix(fields[1], hexPort) {
			serverSide++
		}
		if strings.HasSuffix(fields[2], hexPort) {
			clientSide++
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatalf("reading /proc/net/tcp: %v", err)
	}
	return serverSide, clientSide
}
