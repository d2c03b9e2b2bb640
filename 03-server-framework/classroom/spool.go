package classroom

import (
	"bytes"
	"io"
	"sync"
	"time"
)

// pieceBytes is the most a spool writes at once: a pipe takes a write
// of up to 4 KiB whole or not at all (PIPE_BUF, on Linux), so a pipe
// nobody reads never holds a cut line.
const pieceBytes = 4 << 10

// A spool holds whole lines in memory and writes them to out from a
// goroutine of its own, so that whoever adds lines never waits for
// out: a terminal that stops reading (Ctrl-S, a stuck SSH pane), a
// pipe nobody reads or a stuck disk holds up only that goroutine.
// The screen, stderr and the request log each write through one.
//
// When the lines waiting would pass capacity, add drops new ones, and
// counts them; addWaiting waits instead, for as long as the goroutine
// makes progress.
type spool struct {
	out      io.Writer
	capacity int           // the most bytes that wait
	every    time.Duration // write this often; 0 means at once
	failed   func(error)   // hears out's first error; nil for none

	mu        sync.Mutex
	waiting   []byte        // whole lines, not yet taken
	spare     []byte        // the other buffer, empty
	writing   []byte        // the lines being written
	written   int           // bytes of writing already in out
	lost      int64         // lines dropped, or never written
	broken    bool          // out failed: lines are dropped
	closing   bool          // close was called: lines are dropped
	abandoned bool          // close stopped waiting for out
	inWrite   time.Time     // when the write to out now under way began
	freed     chan struct{} // closed, and renewed, when room frees

	wake chan struct{} // lines wait: write them now
	quit chan struct{} // closed by close
	done chan struct{} // closed when the goroutine ends
}

// newSpool starts the goroutine that writes to out.
func newSpool(out io.Writer, capacity int, every time.Duration,
	failed func(error)) *spool {
	s := &spool{
		out:      out,
		capacity: capacity,
		every:    every,
		failed:   failed,
		freed:    make(chan struct{}),
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go s.run()
	return s
}

// add appends lines, whole lines ending in '\n', unless there is no
// room for them: then it counts them as lost and returns false. It
// never waits.
func (s *spool) add(lines []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(lines)
}

// addLocked is add for a caller that holds s.mu.
func (s *spool) addLocked(lines []byte) bool {
	if s.broken || s.closing || len(s.waiting)+len(lines) > s.capacity {
		s.lost += int64(bytes.Count(lines, newline))
		return false
	}
	s.waiting = append(s.waiting, lines...)
	if s.every == 0 || len(s.waiting) >= s.capacity/4 {
		s.poke()
	}
	return true
}

var newline = []byte{'\n'}

// Write adds p as whole lines: a log.Logger writes each of its lines
// with one call. It never fails and never waits.
func (s *spool) Write(p []byte) (int, error) {
	s.add(p)
	return len(p), nil
}

// addWaiting is add, but when lines do not fit it waits for the
// goroutine to make room. It gives up, and counts lines as lost, when
// one write to out has not returned for stuckAfter, or when stop is
// closed: a file that is slow, or a goroutine short of CPU on a busy
// machine, makes the writers wait; a file that takes nothing at all
// does not. It reports whether the lines were added.
func (s *spool) addWaiting(lines []byte, stuckAfter time.Duration,
	stop <-chan struct{}) bool {
	for {
		s.mu.Lock()
		if len(s.waiting)+len(lines) <= s.capacity || s.broken || s.closing ||
			s.stuckLocked(stuckAfter) || isClosed(stop) {
			defer s.mu.Unlock()
			return s.addLocked(lines)
		}
		freed := s.freed
		s.mu.Unlock()
		// Look again when room frees, or when the write under
		// way may have become stuck.
		timer := time.NewTimer(stuckAfter / 4)
		select {
		case <-freed:
		case <-timer.C:
		case <-stop:
		}
		timer.Stop()
	}
}

// stuck reports whether a write to out has not returned for
// stuckAfter.
func (s *spool) stuck(stuckAfter time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stuckLocked(stuckAfter)
}

// stuckLocked is stuck for a caller that holds s.mu.
func (s *spool) stuckLocked(stuckAfter time.Duration) bool {
	return !s.inWrite.IsZero() && time.Since(s.inWrite) >= stuckAfter
}

// poke wakes the goroutine, without waiting. The caller holds s.mu.
func (s *spool) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run is the spool's goroutine, the only one that may be stuck on
// out. It writes what waits when poked, every s.every, and when close
// asks.
func (s *spool) run() {
	defer close(s.done)
	var tick <-chan time.Time
	if s.every > 0 {
		ticker := time.NewTicker(s.every)
		defer ticker.Stop()
		tick = ticker.C
	}
	for {
		select {
		case <-s.quit:
			s.writeWaiting()
			return
		case <-s.wake:
		case <-tick:
		}
		s.writeWaiting()
	}
}

// writeWaiting takes the lines waiting, leaving the spare buffer in
// their place, and writes them in pieces of whole lines, without
// holding s.mu: lines go on being added meanwhile.
func (s *spool) writeWaiting() {
	s.mu.Lock()
	if len(s.waiting) == 0 || s.abandoned {
		s.mu.Unlock()
		return
	}
	batch := s.waiting
	s.waiting, s.spare = s.spare, nil
	s.writing, s.written = batch, 0
	s.roomFreed()
	s.mu.Unlock()

	rest := batch
	var err error
	for len(rest) > 0 && err == nil {
		s.mu.Lock()
		s.inWrite = time.Now()
		s.mu.Unlock()
		var n int
		n, err = s.out.Write(rest[:wholeLines(rest, pieceBytes)])
		rest = rest[n:]
		s.mu.Lock()
		s.inWrite = time.Time{}
		s.written = len(batch) - len(rest)
		s.mu.Unlock()
	}

	s.mu.Lock()
	s.writing, s.written = nil, 0
	s.spare = batch[:0]
	if err == nil || s.abandoned {
		// Nothing lost, or close counted it already.
		s.mu.Unlock()
		return
	}
	// What was not written, and what waits, is lost, and so is
	// everything after: out is broken.
	s.lost += int64(bytes.Count(rest, newline) + bytes.Count(s.waiting, newline))
	s.waiting = s.waiting[:0]
	s.broken = true
	s.roomFreed()
	s.mu.Unlock()
	// Told without s.mu held: the listener may take locks of its
	// own, which may be held while lines are added.
	if s.failed != nil {
		s.failed(err)
	}
}

// roomFreed tells the waiters that room may be free. The caller holds
// s.mu.
func (s *spool) roomFreed() {
	close(s.freed)
	s.freed = make(chan struct{})
}

// wholeLines is how many bytes of lines, which end in '\n', make
// whole lines of at most max bytes; at least one line.
func wholeLines(lines []byte, max int) int {
	if len(lines) <= max {
		return len(lines)
	}
	if cut := bytes.LastIndexByte(lines[:max], '\n') + 1; cut > 0 {
		return cut
	}
	return max + bytes.IndexByte(lines[max:], '\n') + 1
}

// close writes the lines still waiting, but waits for out at most
// until deadline: a terminal that stopped reading, or a stuck file,
// must not keep the server from exiting. It returns how many lines
// were lost, these included.
func (s *spool) close(deadline time.Time) int64 {
	s.mu.Lock()
	s.closing = true
	s.roomFreed()
	s.mu.Unlock()
	close(s.quit)

	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-s.done:
	case <-timer.C:
		// out is stuck: what is being written, and what waits,
		// is lost.
		s.mu.Lock()
		s.abandoned = true
		s.lost += int64(bytes.Count(s.writing[s.written:], newline))
		s.lost += int64(bytes.Count(s.waiting, newline))
		s.waiting = nil
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lost
}

// isClosed reports whether the channel is closed.
func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
