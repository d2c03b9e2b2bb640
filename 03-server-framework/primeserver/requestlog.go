package primeserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"workbook/prime"
)

const (
	// logBuffer is how much of the log waits in memory before it is
	// written; it is also written every logFlushEvery, and when the
	// server stops.
	logBuffer     = 64 << 10
	logFlushEvery = 200 * time.Millisecond
	// logNoteRoom is kept free under the size cap for the line
	// that says the log stops there.
	logNoteRoom = 200
)

// A RequestLog is the file with one line per answered request: the
// time, the client, the request as the screen shows it, the verdict.
// Lines wait in a buffer and are written whole, many at a time, so
// that logging costs the server little and no line is ever cut in
// two: not by Ctrl-C (Close writes what waits), not by a full disk
// (a write that fails part-way is cut back to its last whole line).
// A write error, or the size cap, stops the logging, with one line
// on the screen and on stderr; the server goes on answering.
type RequestLog struct {
	name string
	warn func(problem string) // says a problem on the screen and stderr

	mu        sync.Mutex
	file      io.Writer
	pending   []byte // whole lines, not yet written
	size      int64  // bytes in the file
	max       int64  // the size cap
	stamp     []byte // the time, as a line starts with it
	stampTime int64  // the second stamp shows
	stopped   bool   // the cap, or a write error, stopped the logging
	notLogged int64  // answered requests since then

	quit chan struct{} // closed by Close: stop flushing
	done chan struct{} // closed when the flushing goroutine ends
}

// OpenRequestLog opens path to append to it, as the source text does
// with prime_server.log, and starts writing to it every
// logFlushEvery. Logging stops when the file reaches max bytes. warn
// says a problem, once, where the teacher sees it.
func OpenRequestLog(path string, max int64, warn func(problem string)) (*RequestLog, error) {
	file, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	return newRequestLog(file, path, info.Size(), max, warn), nil
}

// newRequestLog logs to file, which holds size bytes already.
func newRequestLog(file io.Writer, name string, size, max int64, warn func(string)) *RequestLog {
	l := &RequestLog{
		name:    name,
		warn:    warn,
		file:    file,
		pending: make([]byte, 0, logBuffer+logNoteRoom),
		size:    size,
		max:     max,
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if size+logNoteRoom > max {
		l.stopped = true
		warn(fmt.Sprintf("%s is already %s bytes, over -log-max %s: no request is logged", name, thousands(size), thousands(max)))
	}
	go l.flushEvery(logFlushEvery)
	return l
}

// record appends one answered request to the log.
func (l *RequestLog) record(peer string, line []byte, tooLong bool, maxLine int, verdict prime.Verdict) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		l.notLogged++
		return
	}

	start := len(l.pending)
	l.pending = l.appendStamp(l.pending, now)
	l.pending = append(l.pending, peer...)
	l.pending = append(l.pending, ' ')
	l.pending = appendRequest(l.pending, line, tooLong, maxLine)
	l.pending = append(l.pending, ' ', byte(verdict), '\n')

	// The cap: past it, one last line says why the log ends.
	if l.size+int64(len(l.pending))+logNoteRoom > l.max {
		l.pending = l.appendStamp(l.pending[:start], now)
		l.pending = append(l.pending, "the log reached -log-max ("...)
		l.pending = appendThousands(l.pending, l.max)
		l.pending = append(l.pending, " bytes): no more requests are logged\n"...)
		l.writePending()
		l.stop(fmt.Sprintf("%s reached -log-max (%s bytes): no more requests are logged; the server goes on answering", l.name, thousands(l.max)))
		l.notLogged++
		return
	}
	if len(l.pending) >= logBuffer {
		l.writePending()
	}
}

// appendStamp appends the time the way the log package's standard
// flags show it, formatted once a second.
func (l *RequestLog) appendStamp(dst []byte, now time.Time) []byte {
	if second := now.Unix(); second != l.stampTime || l.stamp == nil {
		l.stamp = now.AppendFormat(l.stamp[:0], "2006/01/02 15:04:05 ")
		l.stampTime = second
	}
	return append(dst, l.stamp...)
}

// writePending writes the waiting lines with one write. The caller
// holds l.mu.
func (l *RequestLog) writePending() {
	if len(l.pending) == 0 || l.stopped {
		return
	}
	written, err := l.file.Write(l.pending)
	if err == nil {
		l.size += int64(written)
		l.pending = l.pending[:0]
		return
	}

	// A write that failed part-way (a full disk) may have cut a
	// line: cut the file back to its last whole line.
	whole := bytes.LastIndexByte(l.pending[:written], '\n') + 1
	if whole < written {
		if file, ok := l.file.(interface{ Truncate(int64) error }); ok {
			if cutErr := file.Truncate(l.size + int64(whole)); cutErr != nil {
				err = errors.Join(err, cutErr)
			}
		}
	}
	l.size += int64(whole)
	l.notLogged += int64(bytes.Count(l.pending[whole:], []byte("\n")))
	l.pending = l.pending[:0]
	l.stop(fmt.Sprintf("cannot write %s: %v; no more requests are logged, the server goes on answering", l.name, Reason(err)))
}

// stop ends the logging and says why, once. The caller holds l.mu.
func (l *RequestLog) stop(problem string) {
	if l.stopped {
		return
	}
	l.stopped = true
	l.warn(problem)
}

// flushEvery writes the waiting lines every period, so that the log
// is never far behind.
func (l *RequestLog) flushEvery(period time.Duration) {
	defer close(l.done)
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-ticker.C:
		}
		l.mu.Lock()
		l.writePending()
		l.mu.Unlock()
	}
}

// Close writes the lines still waiting and closes the file. Call it
// once no request is being answered any more.
func (l *RequestLog) Close() error {
	close(l.quit)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writePending()
	if l.notLogged > 0 {
		l.warn(fmt.Sprintf("%s answered requests are not in %s", thousands(l.notLogged), l.name))
	}
	if closer, ok := l.file.(io.Closer); ok {
		return closer.Close()
	}
	return nil
}

// byteSize is a flag's size in bytes, written 100MB, 64KiB or 5000.
type byteSize int64

var sizeUnits = []struct {
	suffix string
	bytes  int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1},
}

func (b *byteSize) Set(text string) error {
	number, unit := text, int64(1)
	for _, u := range sizeUnits {
		if cut, ok := strings.CutSuffix(text, u.suffix); ok {
			number, unit = cut, u.bytes
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(number), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return errors.New("want a size such as 100MB, 512KiB or 5000 (bytes)")
	}
	*b = byteSize(n * unit)
	return nil
}

func (b *byteSize) String() string {
	n := int64(*b)
	switch {
	case n >= 1e9 && n%1e9 == 0:
		return fmt.Sprintf("%dGB", n/1e9)
	case n >= 1e6 && n%1e6 == 0:
		return fmt.Sprintf("%dMB", n/1e6)
	case n >= 1e3 && n%1e3 == 0:
		return fmt.Sprintf("%dkB", n/1e3)
	}
	return strconv.FormatInt(n, 10)
}
