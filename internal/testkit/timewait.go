package testkit

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// WaitForTimeWait waits up to five seconds for enough(serverSide,
// clientSide), the counts TimeWait returns for port, and returns
// them. When the system's table of TIME_WAIT entries is full (a busy
// machine, tcp_max_tw_buckets), new connections leave no entry at
// all, and the test is skipped rather than failed.
func WaitForTimeWait(t testing.TB, port int, enough func(serverSide, clientSide int) bool) (serverSide, clientSide int) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 5*time.Second; {
		serverSide, clientSide = TimeWait(t, port)
		if enough(serverSide, clientSide) {
			return serverSide, clientSide
		}
		time.Sleep(20 * time.Millisecond)
	}
	if inUse, limit := timeWaitTable(); inUse >= limit*9/10 {
		t.Skipf("the system's TIME_WAIT table is full (%d of %d): it keeps no new entries", inUse, limit)
	}
	t.Fatalf("after 5 seconds, TIME_WAIT holds %d entries on the server's side and %d on the client's", serverSide, clientSide)
	return serverSide, clientSide
}

// timeWaitTable returns how many TIME_WAIT entries the system holds
// and how many it may hold, or 0 and 1 when it does not say.
func timeWaitTable() (inUse, limit int) {
	sockstat, err := os.ReadFile("/proc/net/sockstat")
	if err != nil {
		return 0, 1
	}
	maxText, err := os.ReadFile("/proc/sys/net/ipv4/tcp_max_tw_buckets")
	if err != nil {
		return 0, 1
	}
	limit, err = strconv.Atoi(strings.TrimSpace(string(maxText)))
	if err != nil || limit < 1 {
		return 0, 1
	}
	// The line reads "TCP: inuse 5 orphan 0 tw 12 alloc 7 mem 1".
	fields := strings.Fields(string(sockstat))
	for i, field := range fields[:len(fields)-1] {
		if field == "tw" {
			inUse, _ = strconv.Atoi(fields[i+1])
			break
		}
	}
	return inUse, limit
}

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
