package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/03-server-framework/classroom"
	"workbook/03-server-framework/command"
	"workbook/internal/testkit"
)

// A dead peer: a client whose laptop sleeps, or leaves the Wi-Fi,
// sends neither FIN nor RST; its packets simply stop. This
// demonstration makes one, and shows which of TCP's keep-alive and
// the server's idle timeout notices first.
//
// It needs root and its own network namespace, so it runs only when
// asked to, as the README shows:
//
//	go test -c -o /tmp/ch04.test ./04-persistent-conn
//	cd 04-persistent-conn && WORKBOOK_DEAD_PEER=1 unshare --net /tmp/ch04.test -test.run DeadPeer -test.v
//
// The client runs in a namespace of its own, joined to the server's
// by a virtual cable (veth); pulling its end down (ip link set down)
// is the laptop leaving the network.

// deadPeerClientEnv, in a process's environment, holds the addresses
// the test binary, started as the dead peer, asks about 17 on.
const deadPeerClientEnv = "WORKBOOK_DEAD_PEER_CLIENT"

// deadPeerClient is the dead peer before it dies: it asks once on a
// connection to each address, prints the reply, then keeps the
// connections open, silent, until it is killed.
func deadPeerClient(addrs string) {
	for addr := range strings.SplitSeq(addrs, ",") {
		conn, err := dialUntil(addr, 10*time.Second)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		w := newWorkload(17).slice(16, 17)
		err = askLockstep(conn, w.requests, func(_ int, reply []byte) error {
			fmt.Printf("client | %q -> %q %s\n", w.requests[0], reply, meaningOf(reply))
			return w.check(0, reply)
		})
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
	time.Sleep(time.Hour)
}

// dialUntil dials until it works: the client's network is being set
// up while it starts.
func dialUntil(addr string, limit time.Duration) (net.Conn, error) {
	start := time.Now()
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil || time.Since(start) > limit {
			return conn, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A readFailure is the first error a read on a server's connection
// returned, and when.
type readFailure struct {
	server string
	err    error
	at     time.Time
}

// readWatcher reports the first error a read on an accepted
// connection returns: what the server learns, and when.
type readWatcher struct {
	net.Listener
	server string
	failed chan readFailure
}

func (l readWatcher) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchedConn{Conn: conn, server: l.server, failed: l.failed}, nil
}

type watchedConn struct {
	net.Conn
	server string
	failed chan readFailure
	once   sync.Once
}

func (c *watchedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.once.Do(func() { c.failed <- readFailure{c.server, err, time.Now()} })
	}
	return n, err
}

func TestDeadPeerDemonstration(t *testing.T) {
	if os.Getenv("WORKBOOK_DEAD_PEER") == "" {
		t.Skip("set WORKBOOK_DEAD_PEER=1 and run as root in a network namespace of its own (see the comment above)")
	}
	// Never touch a real machine's network: only a fresh
	// namespace has nothing but its loopback.
	interfaces, err := net.Interfaces()
	require.NoError(t, err)
	require.Len(t, interfaces, 1, "run it under unshare --net, in a namespace of its own")
	ip := func(args ...string) {
		t.Helper()
		out, err := exec.Command("ip", args...).CombinedOutput()
		require.NoError(t, err, "ip %v: %s", args, out)
	}

	// The server's end of the cable.
	ip("link", "add", "server0", "type", "veth", "peer", "name", "client0")
	ip("addr", "add", "10.9.0.1/24", "dev", "server0")
	ip("link", "set", "server0", "up")

	// Two servers that wait 5 minutes for a line, so that TCP's
	// keep-alive speaks first. The first has Go's default
	// keep-alive; the second probes sooner: after 2 s of silence,
	// 3 probes 1 s apart.
	var out bytes.Buffer
	failed := make(chan readFailure, 2)
	var addrs []string
	configs := []struct {
		name   string
		config net.ListenConfig
	}{
		{"Go's default keep-alive (15 s, then 9 probes 15 s apart)", net.ListenConfig{}},
		{"keep-alive after 2 s, 3 probes 1 s apart", net.ListenConfig{
			KeepAliveConfig: net.KeepAliveConfig{
				Enable: true, Idle: 2 * time.Second, Interval: time.Second, Count: 3,
			},
		}},
	}
	for _, c := range configs {
		listener, err := c.config.Listen(t.Context(), "tcp", "10.9.0.1:0")
		require.NoError(t, err)
		settings := classroom.Defaults()
		settings.Log = "off"
		settings.IdleTimeout = 5 * time.Minute
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan int, 1)
		go func() {
			served <- classroom.Run(ctx, settings, readWatcher{listener, c.name, failed}, io.Discard, io.Discard, serve)
		}()
		t.Cleanup(func() {
			// The connection is dead already: nothing to wait for.
			cancel()
			<-served
		})
		addrs = append(addrs, listener.Addr().String())
	}

	// The client, in its own namespace, at the cable's other end.
	self, err := os.Executable()
	require.NoError(t, err)
	client := exec.Command("unshare", "--net", self)
	client.Env = append(os.Environ(), deadPeerClientEnv+"="+strings.Join(addrs, ","))
	clientOut, err := client.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, client.Start())
	t.Cleanup(func() {
		_ = client.Process.Kill()
		_ = client.Wait()
	})
	pid := fmt.Sprint(client.Process.Pid)
	// unshare makes the namespace a moment after it starts: the
	// cable's end must go to the new one, not to ours.
	ours, err := os.Readlink("/proc/self/ns/net")
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		theirs, err := os.Readlink("/proc/" + pid + "/ns/net")
		return err == nil && theirs != ours
	}, 5*time.Second, 10*time.Millisecond)
	ip("link", "set", "client0", "netns", pid)
	inClient := func(args ...string) {
		t.Helper()
		all := append([]string{"-t", pid, "-n", "ip"}, args...)
		out, err := exec.Command("nsenter", all...).CombinedOutput()
		require.NoError(t, err, "ip %v: %s", args, out)
	}
	inClient("addr", "add", "10.9.0.2/24", "dev", "client0")
	inClient("link", "set", "client0", "up")

	// Its two requests, answered.
	lines := bufio.NewReader(clientOut)
	for range addrs {
		line, err := lines.ReadString('\n')
		require.NoError(t, err)
		out.WriteString(line)
	}

	// The laptop leaves the network.
	inClient("link", "set", "client0", "down")
	gone := time.Now()
	fmt.Fprintln(&out, "client | its network is gone: no FIN, no RST, nothing more")

	// Which server notices first, how, and when.
	for range addrs {
		f := <-failed
		// To the nearest 5 seconds: the probes' timers are not
		// that precise, and the transcript must not change.
		seconds := math.Round(f.at.Sub(gone).Seconds()/5) * 5
		fmt.Fprintf(&out, "server | %s: %v, about %.0f seconds later\n", f.server, command.Reason(f.err), seconds)
	}
	t.Log("\n" + out.String())
	testkit.CheckTranscript(t, "README.md", "dead-peer", out.String())
}
