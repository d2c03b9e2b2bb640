package classroom

import (
	"net/netip"
	"runtime"
	"sync"

	"workbook/03-server-framework/tcpserver"
	"workbook/prime"
)

// Judge is prime.Judge, fair between the hosts. A number of up to 19
// digits fits in 64 bits and takes a couple of microseconds at most:
// it is judged at once. One of 20 digits or more may pass 64 bits,
// and then take from a hundred microseconds to milliseconds of CPU:
// it waits for a turn, so that one laptop's flood of them cannot keep
// the others waiting. The count
// of digits decides, not the line's length: padding with spaces
// changes nothing. If the server stops answering (Close) before the
// turn comes, Judge returns tcpserver.ErrServerClosed, and if the
// replies written so far cannot be sent, the network's error: there
// is nothing to reply.
func (class *Class) Judge(c *tcpserver.Conn, line []byte) (prime.Verdict, error) {
	// A line of 19 bytes holds 19 digits at most: no need to count.
	if len(line) <= 19 || countDigits(line) <= 19 {
		return prime.Judge(line), nil
	}
	// The replies already written leave before the wait: a client
	// that sent a batch gets its answers as they come, not when its
	// last number has had its turn.
	if err := c.Writer.Flush(); err != nil {
		return 0, err
	}
	if !class.turns.wait(hostOfConn(c.NetConn), class.stopping) {
		return 0, tcpserver.ErrServerClosed
	}
	defer class.turns.done()
	return prime.Judge(line), nil
}

// countDigits counts the ASCII digits in line.
func countDigits(line []byte) int {
	digits := 0
	for _, b := range line {
		if '0' <= b && b <= '9' {
			digits++
		}
	}
	return digits
}

// turns lets a few heavy works run at once, and gives the next free
// turn to the hosts in rotation: a host with a hundred works waiting
// gets one turn, then the next host gets one, whatever the order they
// arrived in.
type turns struct {
	mu      sync.Mutex
	free    int                            // turns nobody holds
	waiting map[netip.Addr][]chan struct{} // each host's works, in order
	next    []netip.Addr                   // hosts waiting, in rotation
}

// newTurns allows one heavy work for each processor but one, and at
// least one: a light request always finds a processor free.
func newTurns() *turns {
	return &turns{
		free:    max(1, runtime.GOMAXPROCS(0)-1),
		waiting: make(map[netip.Addr][]chan struct{}),
	}
}

// wait returns when host may run its work: true, and the caller then
// calls done. It returns false, holding no turn, if stop is closed
// first.
func (t *turns) wait(host netip.Addr, stop <-chan struct{}) bool {
	t.mu.Lock()
	// A free turn means nobody is waiting: take it.
	if t.free > 0 {
		t.free--
		t.mu.Unlock()
		return true
	}
	turn := make(chan struct{})
	if len(t.waiting[host]) == 0 {
		t.next = append(t.next, host)
	}
	t.waiting[host] = append(t.waiting[host], turn)
	t.mu.Unlock()

	select {
	case <-turn:
		return true
	case <-stop:
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	select {
	case <-turn:
		// Our turn came as we gave up: pass it on.
		t.passOn()
	default:
		t.forget(host, turn)
	}
	return false
}

// done ends a work: its turn goes to the next host in rotation.
func (t *turns) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.passOn()
}

// passOn gives a turn to the next host's first waiting work, and
// sends that host to the back of the rotation. The caller holds t.mu.
func (t *turns) passOn() {
	if len(t.next) == 0 {
		t.free++
		return
	}
	host := t.next[0]
	t.next = t.next[1:]
	queue := t.waiting[host]
	close(queue[0])
	if len(queue) == 1 {
		delete(t.waiting, host)
		return
	}
	t.waiting[host] = queue[1:]
	t.next = append(t.next, host)
}

// forget removes a work that stopped waiting. The caller holds t.mu.
func (t *turns) forget(host netip.Addr, turn chan struct{}) {
	queue := t.waiting[host]
	for i, waiting := range queue {
		if waiting == turn {
			queue = append(queue[:i:i], queue[i+1:]...)
			break
		}
	}
	if len(queue) > 0 {
		t.waiting[host] = queue
		return
	}
	delete(t.waiting, host)
	for i, h := range t.next {
		if h == host {
			t.next = append(t.next[:i:i], t.next[i+1:]...)
			break
		}
	}
}
