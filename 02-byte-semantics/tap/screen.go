package tap

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// How much the screen shows.
const (
	// shownWidth is how many characters of a chunk's quoted
	// bytes one screen line shows at most.
	shownWidth = 64

	// A terminal shows what a person can read: a burst of lines,
	// then about twenty a second. (Redirected to a file, the tap
	// writes every line it can.) screenQueue lines wait for
	// the screen at most; past that, lines are left out, and the
	// screen says how many.
	screenBurst   = 50
	screenPerSec  = 20
	screenQueue   = 256
	screenPatient = 2 * time.Second
)

// quoteChunk quotes bytes as %+q does: every control character,
// every byte that is not UTF-8 and every rune that is not ASCII is
// escaped, so nothing a client sends can act on the terminal or pose
// as something else. It shows at most shownWidth characters
// between the quotes, and "…" after them when it cut.
func quoteChunk(data []byte) string {
	var shown strings.Builder
	for len(data) > 0 {
		// One rune at a time, or one byte if it is not UTF-8.
		_, size := utf8.DecodeRune(data)
		quoted := strconv.QuoteToASCII(string(data[:size]))
		escaped := quoted[1 : len(quoted)-1]
		if shown.Len()+len(escaped) > shownWidth {
			return `"` + shown.String() + `"…`
		}
		shown.WriteString(escaped)
		data = data[size:]
	}
	return `"` + shown.String() + `"`
}

// byteCount writes 1 as "1 byte" and 3 as "3 bytes".
func byteCount(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// elapsed rounds a duration to about three significant digits:
// 17.2µs, 312µs, 10.4ms.
func elapsed(d time.Duration) time.Duration {
	precision := time.Duration(1)
	for limit := time.Duration(1000); d >= limit &&
		precision < time.Second; limit *= 10 {
		precision *= 10
	}
	return d.Round(precision)
}

// A screen prints lines for the connections without ever making
// them wait: show drops a line rather than block, and the screen
// says how many lines it left out.
type screen struct {
	out     io.Writer
	errOut  io.Writer
	limited bool // to what a person can read
	lines   chan line
	done    chan struct{} // closed when print has returned

	mu     sync.Mutex
	missed leftOut // lines the queue had no room for
}

// A line is one line of text, and the connection it is about
// (0 for the tap itself).
type line struct {
	conn int
	text string
}

// leftOut counts lines left out, and from which connections.
type leftOut struct {
	count       int
	first, last int
}

func (m *leftOut) add(conn, count int) {
	if conn > 0 {
		if m.first == 0 || conn < m.first {
			m.first = conn
		}
		m.last = max(m.last, conn)
	}
	m.count += count
}

func (m *leftOut) merge(other leftOut) {
	if other.count == 0 {
		return
	}
	if other.first > 0 {
		m.add(other.first, 0)
		m.add(other.last, 0)
	}
	m.count += other.count
}

// String is the line that tells the reader what was left out.
func (m leftOut) String() string {
	lines := "lines"
	if m.count == 1 {
		lines = "line"
	}
	text := fmt.Sprintf("… %d %s not shown", m.count, lines)
	switch {
	case m.first == 0:
	case m.first == m.last:
		text += fmt.Sprintf(" (connection #%d)", m.first)
	default:
		text += fmt.Sprintf(" (connections #%d to #%d)",
			m.first, m.last)
	}
	return text
}

// newScreen returns a screen writing to out; limited, it shows
// what a person can read and counts the rest.
func newScreen(out, errOut io.Writer, limited bool) *screen {
	return &screen{
		out:     out,
		errOut:  errOut,
		limited: limited,
		lines:   make(chan line, screenQueue),
		done:    make(chan struct{}),
	}
}

// show queues a line for the screen, or counts it as left out if
// the queue is full. It never waits.
func (s *screen) show(conn int, text string) {
	select {
	case s.lines <- line{conn, text}:
	default:
		s.mu.Lock()
		s.missed.add(conn, 1)
		s.mu.Unlock()
	}
}

// close lets print show what is queued, and waits for it, but not
// for ever: a terminal that stopped reading must not stop the tap
// from exiting.
func (s *screen) close() {
	close(s.lines)
	select {
	case <-s.done:
	case <-time.After(screenPatient):
	}
}

// print is the screen's goroutine: the only one that writes to it,
// so lines are never mixed. Limited, it shows a burst of lines,
// then about screenPerSec a second, and counts the rest. It says
// how many lines it left out once a second, and when it closes.
func (s *screen) print() {
	defer close(s.done)
	tokens := float64(screenBurst)
	refilled := time.Now()
	var missed leftOut
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	writeFailed := false

	write := func(text string) {
		_, err := io.WriteString(s.out, text+"\n")
		if err != nil && !writeFailed {
			writeFailed = true
			fmt.Fprintf(s.errOut,
				"tap: cannot write to the screen: %v; the bytes still flow\n",
				err)
		}
	}
	// tellMissed shows how many lines were left out, if any.
	tellMissed := func() {
		s.mu.Lock()
		missed.merge(s.missed)
		s.missed = leftOut{}
		s.mu.Unlock()
		if missed.count > 0 {
			write(missed.String())
			missed = leftOut{}
		}
	}

	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				tellMissed()
				return
			}
			now := time.Now()
			tokens = min(screenBurst, tokens+
				now.Sub(refilled).Seconds()*screenPerSec)
			refilled = now
			// The tap's own lines are few and always shown.
			if s.limited && tokens < 1 && line.conn > 0 {
				missed.add(line.conn, 1)
				continue
			}
			tokens--
			write(line.text)
		case <-ticker.C:
			// Once a second at most: what was left out.
			tellMissed()
		}
	}
}
