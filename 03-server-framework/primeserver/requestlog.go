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
	"sync/atomic"
	"syscall"
	"time"

	"workbook/prime"
)

const (
	// logBatch is how much of the log waits in memory before it is
	// written; it is also written every logFlushEvery, and when the
	// server stops.
	logBatch      = 64 << 10
	logFlushEvery = 200 * time.Millisecond
	// logMaxWaiting is how much of the log may wait for a file that
	// takes no writes (a pipe nobody reads, a stuck network disk);
	// beyond it, requests are left out of the log, and counted. It
	// is also what holds a flood's burst while the writing goroutine
	// waits for a CPU on a busy machine, so that a disk that keeps
	// up loses no line: 1 MiB was not always enough.
	logMaxWaiting = 4 << 20
	// logPiece is the most the log writes at once.
	logPiece = 4 << 10
	// logNoteRoom is kept free under the size cap for the line
	// that says the log stops there.
	logNoteRoom = 200
)

// A RequestLog is the file with one line per answered request: the
// time, the client, the request as the screen shows it, the verdict.
// Lines wait in memory and are written whole, many at a time, by a
// goroutine of its own, so that logging costs the server little and
// never waits for the file: a file that takes no writes holds up only
// that goroutine, and past logMaxWaiting the requests are left out of
// the log, and counted, instead of waited for. No line is ever cut in
// two: not by Ctrl-C (Close writes what waits), not by a full disk
// (a write that fails part-way is cut back to its last whole line).
// A write error, or the size cap, stops the logging, with one line
// on the screen and on stderr; the server goes on answering.
type RequestLog struct {
	name string
	file io.Writer
	warn func(problem string) // says a problem on the screen and stderr

	mu        sync.Mutex
	waiting   []byte // whole lines, not yet given to the writer
	spare     []byte // the writer's other buffer, empty
	writing   []byte // the lines being written now
	size      int64  // bytes in the file, or being written to it
	max       int64  // the size cap
	stamp     []byte // the time, as a line starts with it
	stampTime int64  // the second stamp shows
	stopped   bool   // the cap, or a write error, stopped the logging
	closing   bool   // Close was called: no more lines
	abandoned bool   // Close stopped waiting for the file
	notLogged int64  // answered requests not in the file
	saidSlow  bool   // the screen was told that the file is slow

	// written is how many bytes of writing are in the file: Close
	// reads it while the writer may be stuck.
	written atomic.Int64

	wake chan struct{} // a batch waits: write it now
	quit chan struct{} // closed by Close: write what waits, then stop
	done chan struct{} // closed when the writing goroutine ends
}

// OpenRequestLog opens path to append to it, as the source text does
// with prime_server.log, and starts writing to it in the background.
// Logging stops when the file reaches max bytes. warn says a
// problem, once, where the teacher sees it.
func OpenRequestLog(path string, max int64, warn func(problem string)) (*RequestLog, error) {
	flags := os.O_APPEND | os.O_CREATE | os.O_WRONLY
	// Opening a named pipe waits until someone reads it, and Ctrl-C
	// could not stop that wait: ask for an error at once instead.
	if info, err := os.Stat(path); err == nil && info.Mode()&os.ModeNamedPipe != 0 {
		flags |= syscall.O_NONBLOCK
	}
	file, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, syscall.ENXIO) {
		return nil, fmt.Errorf("%s is a named pipe that nobody reads", path)
	}
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
		waiting: make([]byte, 0, logBatch+logNoteRoom),
		spare:   make([]byte, 0, logBatch+logNoteRoom),
		size:    size,
		max:     max,
		wake:    make(chan struct{}, 1),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if size+logNoteRoom > max {
		l.stopped = true
		warn(fmt.Sprintf("%s is already %s bytes, over -log-max %s: no request is logged", name, thousands(size), thousands(max)))
	}
	go l.writeInBackground()
	return l
}

// record appends one answered request to the log. It never waits
// for the file, only for the other connections' record.
func (l *RequestLog) record(peer string, line []byte, tooLong bool, maxLine int, verdict prime.Verdict) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped || l.closing {
		l.notLogged++
		return
	}
	// The file takes no writes, or too slowly: leave the request
	// out rather than wait, or hold ever more memory.
	if len(l.waiting) >= logMaxWaiting {
		l.leaveOut()
		return
	}

	start := len(l.waiting)
	l.waiting = l.appendStamp(l.waiting, now)
	l.waiting = append(l.waiting, peer...)
	l.waiting = append(l.waiting, ' ')
	l.waiting = appendRequest(l.waiting, line, tooLong, maxLine)
	l.waiting = append(l.waiting, ' ', byte(verdict), '\n')

	// The cap: past it, one last line says why the log ends.
	if l.size+int64(len(l.waiting))+logNoteRoom > l.max {
		l.waiting = l.appendStamp(l.waiting[:start], now)
		l.waiting = append(l.waiting, "the log reached -log-max ("...)
		l.waiting = appendThousands(l.waiting, l.max)
		l.waiting = append(l.waiting, " bytes): no more requests are logged\n"...)
		l.stop(fmt.Sprintf("%s reached -log-max (%s bytes): no more requests are logged; the server goes on answering", l.name, thousands(l.max)))
		l.notLogged++
		l.wakeWriter()
		return
	}
	if len(l.waiting) >= logBatch {
		l.wakeWriter()
	}
}

// leaveOut counts a request the log has no room for, and says once
// why requests are missing from it. The caller holds l.mu.
func (l *RequestLog) leaveOut() {
	l.notLogged++
	if !l.saidSlow {
		l.saidSlow = true
		l.warn(fmt.Sprintf("%s takes no writes, or too slowly: requests are left out of it until it catches up; the server goes on answering", l.name))
	}
}

// wakeWriter tells the writing goroutine that a batch waits, without
// waiting for it. The caller holds l.mu.
func (l *RequestLog) wakeWriter() {
	select {
	case l.wake <- struct{}{}:
	default:
		// Already told.
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

// writeInBackground is the log's goroutine, the only one that may be
// stuck on a file that takes no writes. It writes what waits every
// logFlushEvery, at once when a batch is full, and when Close asks.
func (l *RequestLog) writeInBackground() {
	defer close(l.done)
	ticker := time.NewTicker(logFlushEvery)
	defer ticker.Stop()
	for {
		select {
		case <-l.quit:
			// Close takes no more lines: this is the last batch.
			l.writeWaiting()
			return
		case <-l.wake:
		case <-ticker.C:
		}
		l.writeWaiting()
	}
}

// writeWaiting writes the waiting lines, without holding l.mu: the
// connections go on recording meanwhile, into the other buffer.
func (l *RequestLog) writeWaiting() {
	// Take the waiting lines; leave the spare buffer in their place.
	l.mu.Lock()
	if len(l.waiting) == 0 || l.abandoned {
		l.mu.Unlock()
		return
	}
	batch := l.waiting
	l.waiting, l.spare = l.spare, nil
	l.writing = batch
	l.written.Store(0)
	offset := l.size
	l.size += int64(len(batch))
	l.mu.Unlock()

	// Write a piece of whole lines at a time: a pipe takes a write
	// of up to 4 KiB whole or not at all (PIPE_BUF, on Linux), so a
	// pipe nobody reads never holds a cut line, and l.written says
	// which lines are in the file.
	rest := batch
	var err error
	for len(rest) > 0 {
		piece := rest[:wholeLines(rest, logPiece)]
		var written int
		written, err = l.file.Write(piece)
		if err != nil {
			// A write that failed part-way (a full disk) may
			// have cut a line: cut the file back to its last
			// whole line.
			whole := bytes.LastIndexByte(piece[:written], '\n') + 1
			if whole < written {
				if file, ok := l.file.(interface{ Truncate(int64) error }); ok {
					end := offset + int64(len(batch)-len(rest)+whole)
					if cutErr := file.Truncate(end); cutErr != nil {
						err = errors.Join(err, cutErr)
					}
				}
			}
			rest = rest[whole:]
			break
		}
		rest = rest[len(piece):]
		l.written.Store(int64(len(batch) - len(rest)))
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	l.writing = nil
	l.spare = batch[:0]
	// Close gave up on the file and counted these lines already.
	if err == nil || l.abandoned {
		return
	}
	// The lines not written, and those waiting, are not logged;
	// nor will the next ones be.
	l.size = offset + int64(len(batch)-len(rest))
	l.notLogged += int64(bytes.Count(rest, []byte("\n")))
	l.notLogged += int64(bytes.Count(l.waiting, []byte("\n")))
	l.waiting = l.waiting[:0]
	l.stop(fmt.Sprintf("cannot write %s: %v; no more requests are logged, the server goes on answering", l.name, Reason(err)))
}

// wholeLines is how many bytes of lines, which ends in '\n', make
// whole lines and at most max bytes; at least one line.
func wholeLines(lines []byte, max int) int {
	if len(lines) <= max {
		return len(lines)
	}
	if cut := bytes.LastIndexByte(lines[:max], '\n') + 1; cut > 0 {
		return cut
	}
	return max + bytes.IndexByte(lines[max:], '\n') + 1
}

// stop ends the logging and says why, once. The caller holds l.mu.
func (l *RequestLog) stop(problem string) {
	if l.stopped {
		return
	}
	l.stopped = true
	l.warn(problem)
}

// Close writes the lines still waiting and closes the file. Call it
// once no request is being answered any more. It waits for the file
// until deadline at most: a file that takes no writes must not keep
// the server from exiting. It then says how many answered requests
// are not in the file, if any.
func (l *RequestLog) Close(deadline time.Time) error {
	l.mu.Lock()
	l.closing = true
	l.mu.Unlock()
	close(l.quit)

	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-l.done:
	case <-timer.C:
		// The file is stuck: what is being written, and what
		// waits, is not in it.
		l.mu.Lock()
		l.abandoned = true
		unwritten := l.writing[min(l.written.Load(), int64(len(l.writing))):]
		l.notLogged += int64(bytes.Count(unwritten, []byte("\n")))
		l.notLogged += int64(bytes.Count(l.waiting, []byte("\n")))
		l.waiting = nil
		l.mu.Unlock()
	}

	l.mu.Lock()
	notLogged := l.notLogged
	l.mu.Unlock()
	if notLogged > 0 {
		l.warn(fmt.Sprintf("%s answered requests are not in %s", thousands(notLogged), l.name))
	}
	// Closing a pipe also ends a write stuck on it.
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
