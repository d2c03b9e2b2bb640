package tap

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// How much one direction of one connection holds: at most buffers ×
// bufferSize, 4 × 16 KiB. When they are all full, the tap stops
// reading, and TCP makes the sender wait. A buffer is made when it is
// first needed: a quiet connection holds one for each direction.
const (
	bufferSize = 16 * 1024
	buffers    = 4
)

// A link is one client's connection through the tap: the client
// side, the server side, and how to end both.
type link struct {
	id     int
	opened time.Time
	client *net.TCPConn
	server *net.TCPConn
	screen *screen

	ending sync.Once
	done   chan struct{} // closed when the link is ended early
}

// show puts one line about this connection on the screen, with its
// number and the time since it opened.
func (l *link) show(format string, args ...any) {
	since := elapsed(time.Since(l.opened))
	l.screen.show(l.id, fmt.Sprintf("#%d +%v %s", l.id, since,
		fmt.Sprintf(format, args...)))
}

// end closes both sides, once. With reset, it closes them with a
// reset (RST) instead of the usual end of data (FIN): a reset on one
// side is passed on to the other as a reset.
func (l *link) end(reset bool, why string) {
	l.ending.Do(func() {
		// Closing done first tells every goroutine of this link
		// that the errors they are about to see are expected.
		close(l.done)
		if why != "" {
			l.show("%s", why)
		}
		if reset {
			// Linger 0: Close sends a reset and drops
			// whatever was not yet sent.
			_ = l.client.SetLinger(0)
			_ = l.server.SetLinger(0)
		}
		l.client.Close()
		l.server.Close()
	})
}

// ended reports whether the link has been ended early.
func (l *link) ended() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// A chunk is what one Read returned, and when; or, with end set,
// the end of the data (the sender's FIN).
type chunk struct {
	data   []byte
	buffer []byte // to give back once data is passed on
	readAt time.Time
	end    bool
}

// A direction passes bytes one way: a reader that reads chunks
// from one side, a writer that writes them to the other, and a few
// buffers going round between the two.
type direction struct {
	link      *link
	name      string // "client->server"
	sender    string // "client"
	from, to  *net.TCPConn
	schedule  schedule
	pieceSize int // largest write; 0 passes each chunk whole

	free   chan []byte // buffers ready to read into again
	made   int         // buffers made so far; the reader's alone
	chunks chan chunk  // read, waiting to be passed on
	total  int         // bytes read; the reader's alone

	lastPiece time.Time // when the last piece left; the writer's
}

// newDirection passes bytes from one side to the other. pieceSize is
// 0 for a direction that passes each chunk as it was read.
func newDirection(l *link, name, sender string,
	from, to *net.TCPConn, conf config, pieceSize int) *direction {
	timing := schedule{opened: l.opened, delay: conf.delay}
	if pieceSize > 0 {
		timing.gap = max(conf.gap, conf.delay)
	}
	return &direction{
		link: l, name: name, sender: sender,
		from: from, to: to,
		schedule: timing, pieceSize: pieceSize,
		free:   make(chan []byte, buffers),
		chunks: make(chan chunk, buffers+1),
	}
}

// buffer returns a buffer to read into: one given back by the
// writer, or a new one while fewer than buffers exist. It reports
// false if the link ended while it waited.
func (d *direction) buffer() ([]byte, bool) {
	select {
	case buffer := <-d.free:
		return buffer, true
	default:
	}
	if d.made < buffers {
		d.made++
		return make([]byte, bufferSize), true
	}
	select {
	case buffer := <-d.free:
		return buffer, true
	case <-d.link.done:
		return nil, false
	}
}

// read reads chunks and hands them to the writer. When every buffer
// is in use it waits before reading more, so a receiver that does
// not read makes the sender wait: TCP's backpressure, passed on.
func (d *direction) read() {
	defer close(d.chunks)
	for {
		buffer, ok := d.buffer()
		if !ok {
			return
		}

		n, err := d.from.Read(buffer)
		readAt := time.Now()
		if n > 0 {
			d.total += n
			d.link.show("%s %s %s", d.name, byteCount(n),
				quoteChunk(buffer[:n]))
			read := chunk{data: buffer[:n], buffer: buffer,
				readAt: readAt}
			if !d.hand(read) {
				return
			}
		} else {
			d.free <- buffer
		}

		// End of data: the sender closed, or shut its writing
		// side. The writer passes the FIN on, in its turn.
		if errors.Is(err, io.EOF) {
			d.link.show("%s end of data (FIN): the %s sends no more",
				d.name, d.sender)
			d.hand(chunk{readAt: readAt, end: true})
			return
		}
		if err != nil {
			if d.link.ended() {
				return
			}
			d.link.end(true, fmt.Sprintf(
				"%s reading failed: %v; resetting both sides",
				d.name, reason(err)))
			return
		}
	}
}

// hand gives a chunk to the writer, unless the link has ended.
func (d *direction) hand(c chunk) bool {
	select {
	case d.chunks <- c:
		return true
	case <-d.link.done:
		return false
	}
}

// write passes each chunk on when its time comes, in order.
func (d *direction) write() {
	for {
		var next chunk
		var ok bool
		select {
		case next, ok = <-d.chunks:
			if !ok {
				return
			}
		case <-d.link.done:
			return
		}

		if next.end {
			if !d.waitUntil(d.schedule.departure(next.readAt,
				d.lastPiece)) {
				return
			}
			// Half-close: the other side reads end of data,
			// and can still send.
			if err := d.to.CloseWrite(); err != nil {
				d.failed(err)
			}
			return
		}
		if err := d.pass(d.to, next); err != nil {
			d.failed(err)
			return
		}
		d.free <- next.buffer
	}
}

// pass writes one chunk to w, in pieces of at most pieceSize bytes,
// each piece its own Write, each leaving when the schedule says.
// Under -chunk the screen shows each piece as it leaves, so that the
// class sees the pieces the receiver may read one by one.
func (d *direction) pass(w io.Writer, c chunk) error {
	data := c.data
	pieces := 1
	if d.pieceSize > 0 {
		pieces = (len(data) + d.pieceSize - 1) / d.pieceSize
	}
	for piece := 1; len(data) > 0; piece++ {
		leave := d.schedule.departure(c.readAt, d.lastPiece)
		if !d.waitUntil(leave) {
			return nil
		}
		size := len(data)
		if d.pieceSize > 0 {
			size = min(size, d.pieceSize)
		}
		// Shown before it leaves: the receiver's answer to a
		// piece can only come after it, on the screen too.
		if d.pieceSize > 0 {
			d.link.show("%s piece %d of %d: %s %s", d.name,
				piece, pieces, byteCount(size),
				quoteChunk(data[:size]))
		}
		if _, err := w.Write(data[:size]); err != nil {
			return err
		}
		d.lastPiece = time.Now()
		data = data[size:]
	}
	return nil
}

// failed ends the link after a write failed: the receiver is gone.
func (d *direction) failed(err error) {
	if d.link.ended() {
		return
	}
	d.link.end(true, fmt.Sprintf(
		"%s passing bytes on failed: %v; resetting both sides",
		d.name, reason(err)))
}

// waitUntil waits for the moment given, and reports false if the
// link ended first.
func (d *direction) waitUntil(moment time.Time) bool {
	wait := time.Until(moment)
	if wait <= 0 {
		return !d.link.ended()
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-d.link.done:
		return false
	}
}

// A schedule says when a chunk leaves the tap:
//
//   - with -delay, each chunk is held delay after it was read, as a
//     link with that latency would; chunks do not wait for each
//     other, so a chunk read 1 ms after another leaves 1 ms after it;
//   - on a real link a new connection costs a round trip (the
//     handshake) before any byte can cross; the system has done that
//     handshake with the tap before the tap hears of the client, so
//     with -delay the tap charges it here: nothing leaves before
//     2 × delay after the connection opened;
//   - with -chunk, the pieces leave one by one, gap apart (-gap, or
//     -delay if it is longer), so that a receiver waiting in Read
//     (or Python's recv) wakes for each piece alone. A receiver busy
//     for longer than the gap between two Reads still finds the
//     pieces that came meanwhile together.
type schedule struct {
	opened time.Time
	delay  time.Duration
	gap    time.Duration // 0 when the chunks are not cut
}

// departure is when a piece of a chunk read at readAt may leave,
// given when the previous piece left (zero if none has).
func (s schedule) departure(readAt, previous time.Time) time.Time {
	leave := readAt
	if s.delay > 0 {
		handshakeOver := s.opened.Add(2 * s.delay)
		if leave.Before(handshakeOver) {
			leave = handshakeOver
		}
		leave = leave.Add(s.delay)
	}
	if s.gap > 0 && !previous.IsZero() {
		if next := previous.Add(s.gap); next.After(leave) {
			leave = next
		}
	}
	return leave
}
