package tcpserver

import (
	"runtime"
	"sync"
)

// turns lets a few heavy works run at once (Conn.Share), and gives
// the next free turn to the hosts in rotation: a host with a hundred
// works waiting gets one turn, then the next host gets one, whatever
// the order they arrived in.
type turns struct {
	mu      sync.Mutex
	free    int                        // turns nobody holds
	waiting map[string][]chan struct{} // each host's waiting works, in order
	next    []string                   // hosts with works waiting, in rotation
}

// newTurns allows one heavy work for each processor but one, and at
// least one: a light request always finds a processor free.
func newTurns() *turns {
	return &turns{
		free:    max(1, runtime.GOMAXPROCS(0)-1),
		waiting: make(map[string][]chan struct{}),
	}
}

// wait returns when host may run its work: true, and the caller then
// calls done. It returns false, holding no turn, if stop is closed
// first.
func (t *turns) wait(host string, stop <-chan struct{}) bool {
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
func (t *turns) forget(host string, turn chan struct{}) {
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
