package primeserver

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// queuedLines is how many lines wait for a slow terminal before new
// ones are dropped.
const queuedLines = 256

// A lineQueue writes lines to out from a goroutine of its own. A
// terminal that stops reading (Ctrl-S, a mouse selection in a Windows
// console, a stuck SSH pane) then holds up only that goroutine, never
// a connection: when the queue is full, a new line is dropped, and
// counted, instead of waited for.
type lineQueue struct {
	out   io.Writer
	lines chan []byte
	lost  atomic.Int64 // lines dropped because the queue was full

	quit     chan struct{} // closed by close: write what is queued, then stop
	quitOnce sync.Once
	done     chan struct{} // closed when the writing goroutine ends
}

// newLineQueue starts the goroutine that writes to out.
func newLineQueue(out io.Writer) *lineQueue {
	q := &lineQueue{
		out:   out,
		lines: make(chan []byte, queuedLines),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go q.write()
	return q
}

// add queues line, which ends in '\n', without ever waiting. It
// reports whether the line was queued.
func (q *lineQueue) add(line []byte) bool {
	select {
	case q.lines <- line:
		return true
	default:
		q.lost.Add(1)
		return false
	}
}

// Write queues p as one line: a log.Logger writes each of its lines
// with one call. It never fails and never waits.
func (q *lineQueue) Write(p []byte) (int, error) {
	q.add(bytes.Clone(p))
	return len(p), nil
}

// write is the queue's goroutine: the only one that may be stuck on
// a terminal that does not read.
func (q *lineQueue) write() {
	defer close(q.done)
	for {
		select {
		case line := <-q.lines:
			// A terminal that fails has nowhere to say so.
			_, _ = q.out.Write(line)
		case <-q.quit:
			q.writeQueued()
			return
		}
	}
}

// writeQueued writes the lines still queued.
func (q *lineQueue) writeQueued() {
	for {
		select {
		case line := <-q.lines:
			_, _ = q.out.Write(line)
		default:
			return
		}
	}
}

// close writes the lines still queued, but waits for them at most
// until deadline: a terminal that stopped reading must not keep the
// server from exiting. It reports whether every line was written.
func (q *lineQueue) close(deadline time.Time) bool {
	q.quitOnce.Do(func() { close(q.quit) })
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-q.done:
		return true
	case <-timer.C:
		return false
	}
}
