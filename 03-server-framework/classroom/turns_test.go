package classroom

import (
	"bufio"
	"bytes"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/03-server-framework/tcpserver"
)

var (
	hostA = netip.MustParseAddr("127.0.0.2")
	hostB = netip.MustParseAddr("127.0.0.1")
)

func TestTurnsGoToHostsInRotation(t *testing.T) {
	turns := &turns{free: 1, waiting: make(map[netip.Addr][]chan struct{})}
	never := make(chan struct{})
	// A holds the only turn. Then A queues three more works, and
	// B one, in that order.
	require.True(t, turns.wait(hostA, never))
	var mu sync.Mutex
	var order []netip.Addr
	var wait sync.WaitGroup
	for i, host := range []netip.Addr{hostA, hostA, hostA, hostB} {
		wait.Go(func() {
			if !turns.wait(host, never) {
				return
			}
			mu.Lock()
			order = append(order, host)
			mu.Unlock()
			turns.done()
		})
		require.Eventually(t, func() bool { return waitingWorks(turns) == i+1 },
			5*time.Second, time.Millisecond)
	}

	// A's first work ends: the turns go A, B, A, A.
	turns.done()
	wait.Wait()
	assert.Equal(t, []netip.Addr{hostA, hostB, hostA, hostA}, order,
		"B waits behind one of A's works, not all three")
	assert.Equal(t, 1, turns.free)
	assert.Zero(t, waitingWorks(turns))
	assert.Empty(t, turns.next)
}

func TestAWorkThatStopsWaitingLeavesTheRotation(t *testing.T) {
	turns := &turns{free: 1, waiting: make(map[netip.Addr][]chan struct{})}
	never := make(chan struct{})
	require.True(t, turns.wait(hostA, never))
	stop := make(chan struct{})
	gaveUp := make(chan bool)
	go func() { gaveUp <- turns.wait(hostB, stop) }()
	require.Eventually(t, func() bool { return waitingWorks(turns) == 1 },
		5*time.Second, time.Millisecond)
	close(stop)
	assert.False(t, <-gaveUp)
	assert.Zero(t, waitingWorks(turns))
	assert.Empty(t, turns.next)
	// The turn A gives back is free again.
	turns.done()
	assert.Equal(t, 1, turns.free)
}

// waitingWorks is how many works wait for a turn.
func waitingWorks(t *turns) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, queue := range t.waiting {
		n += len(queue)
	}
	return n
}

// heavyOrLight answers each line in capitals. A "heavy" line waits
// for its turn, as Judge makes a long number wait, and then runs
// work.
func heavyOrLight(work func(c *tcpserver.Conn)) func(*Class) tcpserver.Handler {
	return func(class *Class) tcpserver.Handler {
		return tcpserver.HandlerFunc(func(c *tcpserver.Conn) {
			for {
				line, err := c.ReadLine()
				if err != nil {
					return
				}
				if string(line) == "heavy\n" {
					if !class.turns.wait(hostOfConn(c.NetConn), class.stopping) {
						return
					}
					work(c)
					class.turns.done()
				}
				c.Writer.Write(bytes.ToUpper(line))
				if !c.HasLine() && c.Writer.Flush() != nil {
					return
				}
			}
		})
	}
}

func TestHeavyWorkTakesTurnsByHostAndLightWorkDoesNotWait(t *testing.T) {
	release := make(chan struct{})
	started := make(chan netip.Addr, 100)
	s := serveClass(t, quietSettings(), nil, heavyOrLight(func(c *tcpserver.Conn) {
		started <- hostOfConn(c.NetConn)
		<-release
	}))
	class := <-s.class
	var once sync.Once
	releaseAll := func() { once.Do(func() { close(release) }) }
	// Before the server's shutdown, if the test fails early.
	t.Cleanup(releaseAll)

	// Laptop A takes every turn, and queues two works more.
	free := max(1, runtime.GOMAXPROCS(0)-1)
	var conns []net.Conn
	for range free + 2 {
		conn := dialFrom(t, "127.0.0.2", s.addr)
		_, err := conn.Write([]byte("heavy\n"))
		require.NoError(t, err)
		conns = append(conns, conn)
	}
	for range free {
		assert.Equal(t, hostA, <-started)
	}
	require.Eventually(t, func() bool { return waitingWorks(class.turns) == 2 },
		5*time.Second, time.Millisecond)

	// Laptop B's light request is answered while every turn is
	// taken.
	light := dialFrom(t, "127.0.0.1", s.addr)
	assert.Equal(t, "LIGHT\n", askOn(t, light, bufio.NewReader(light), "light\n"))

	// B's heavy work waits behind one of A's, not both.
	heavy := dialFrom(t, "127.0.0.1", s.addr)
	_, err := heavy.Write([]byte("heavy\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return waitingWorks(class.turns) == 3 },
		5*time.Second, time.Millisecond)
	var order []netip.Addr
	for range 3 {
		release <- struct{}{}
		order = append(order, <-started)
	}
	assert.Equal(t, []netip.Addr{hostA, hostB, hostA}, order)

	// Every heavy request is answered.
	releaseAll()
	for _, conn := range append(conns, heavy) {
		reply, err := bufio.NewReader(conn).ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "HEAVY\n", reply)
	}
}
