package classroom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"workbook/03-server-framework/command"
	"workbook/prime"
)

const (
	// logRoom is how much of the log may wait in memory for the
	// file. When it is full, answering waits for the file: a disk
	// that is merely slow, or a writer short of CPU on a busy
	// machine, slows the server down rather than losing lines.
	logRoom = 1 << 20
	// logStuckAfter is how long one write to the file may take
	// before the file counts as stuck (a pipe nobody reads, a dead
	// network disk): requests are then left out of the log, and
	// counted, instead of waited for. A disk that falls behind can
	// hold a write for seconds (Linux makes a writer wait while it
	// writes back what the page cache holds): that is slow, not
	// stuck.
	logStuckAfter = 5 * time.Second
	// logFlushEvery is how often the lines waiting are written.
	logFlushEvery = 200 * time.Millisecond
	// logNoteRoom is kept free under the size cap for the line
	// that says the log stops there.
	logNoteRoom = 200
)

// A RequestLog is the file with one line per answered request: the
// time, the client, the request as the screen shows it, the verdict.
// A request is logged once its reply has left, so that the log never
// holds a request whose reply a Ctrl-C cut off. Lines wait in memory
// and are written whole, many at a time, by a spool. No line is ever
// cut in two: not by Ctrl-C, not by a full disk (a write that fails
// part-way is cut back to its last whole line). A write error, or the
// size cap, stops the logging, with one line on the screen and on
// stderr; the server goes on answering.
type RequestLog struct {
	name  string
	spool *spool
	file  io.Writer
	warn  func(problem string) // says a problem on screen and stderr

	mu        sync.Mutex
	lost      int64 // logged requests whose replies a reset lost
	size      int64 // bytes in the file, or on their way to it
	max       int64 // the size cap
	stopped   bool  // the cap, or a write error, stopped the logging
	notLogged int64 // answered requests left out by the cap
	saidStuck bool  // the screen was told the file takes nothing
}

// OpenRequestLog opens path to append to it, as the source text does
// with prime_server.log. The file is this server's alone while it
// runs: if another server writes to it, this one logs to the first
// free name beside it (prime_server-2.log, -3...) and says so, so
// that the size cap, which counts the bytes already in the file,
// holds for each file. warn says a problem where the teacher sees it.
func OpenRequestLog(path string, max int64,
	warn func(problem string)) (*RequestLog, error) {
	name := path
	for n := 2; ; n++ {
		file, err := openLogFile(name)
		if errors.Is(err, errInUse) && n <= 9 {
			name = numbered(path, n)
			continue
		}
		if errors.Is(err, errInUse) {
			return nil, fmt.Errorf("%s, and %s to %s, are all in use by other "+
				"servers: give -log another file, or off", path,
				numbered(path, 2), numbered(path, 9))
		}
		if err != nil {
			return nil, err
		}
		if name != path {
			warn(fmt.Sprintf("%s is in use by another server: this one logs to %s", path, name))
		}
		info, err := file.Stat()
		if err != nil {
			file.Close()
			return nil, err
		}
		size := info.Size()
		return newRequestLog(&logFile{out: file, size: size}, name, size, max, warn), nil
	}
}

// errInUse is openLogFile's error when another process writes to the
// file.
var errInUse = errors.New("in use by another process")

// numbered is path with -n before its extension.
func numbered(path string, n int) string {
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), n, ext)
}

// newRequestLog logs to file, which holds size bytes already.
func newRequestLog(file io.Writer, name string, size, max int64,
	warn func(string)) *RequestLog {
	l := &RequestLog{name: name, file: file, warn: warn, size: size, max: max}
	l.spool = newSpool(file, logRoom, logFlushEvery, func(err error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.stop(fmt.Sprintf("cannot write %s: %v; no more requests are logged, "+
			"the server goes on answering", name, command.Reason(err)))
	})
	if size+logNoteRoom > max {
		l.stop(fmt.Sprintf("%s is already %s bytes, too close to -log-max %s "+
			"for another line: no request is logged; move it away, or give "+
			"-log another file", name, thousands(size), thousands(max)))
	}
	return l
}

// record formats the log line of a request answered on conn; it goes
// to the file once the reply leaves (see commit).
func (l *RequestLog) record(conn *studentConn, line []byte, tooLong bool,
	maxLine int, verdict prime.Verdict) {
	now := time.Now()
	if second := now.Unix(); second != conn.stampSecond || conn.stamp == nil {
		conn.stamp = now.AppendFormat(conn.stamp[:0], "2006/01/02 15:04:05 ")
		conn.stampSecond = second
	}
	conn.pending = append(conn.pending, conn.stamp...)
	conn.pending = append(conn.pending, conn.peer...)
	conn.pending = append(conn.pending, ' ')
	conn.pending = appendRequest(conn.pending, line, tooLong, maxLine)
	conn.pending = append(conn.pending, ' ', byte(verdict), '\n')
	conn.pendingLines++
	if conn.limits == nil {
		// A connection the class did not accept: no reply to
		// wait for.
		conn.commit(conn.pendingLines)
	}
}

// sayStuck says, once, that the file takes nothing.
func (l *RequestLog) sayStuck() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.saidStuck || l.stopped {
		return
	}
	l.saidStuck = true
	l.warn(fmt.Sprintf("%s has taken no write for %v: requests are left "+
		"out of it until it takes writes again; the server goes on "+
		"answering", l.name, logStuckAfter))
}

// commit logs the oldest requests waiting for their replies, as many
// as replies have just left on the connection.
func (c *studentConn) commit(replies int) {
	replies = min(replies, c.pendingLines)
	if replies == 0 {
		return
	}
	end := 0
	for range replies {
		end += bytes.IndexByte(c.pending[end:], '\n') + 1
	}
	c.class.log.add(c.pending[:end], replies, c.class.stopping)
	c.pendingLines -= replies
	c.pending = append(c.pending[:0], c.pending[end:]...)
}

// add gives count whole lines to the spool, within the size cap. When
// the lines waiting fill their room, it waits for the file to take
// some, unless the file is stuck or stop is closed.
func (l *RequestLog) add(lines []byte, count int, stop <-chan struct{}) {
	l.mu.Lock()
	if l.stopped {
		l.notLogged += int64(count)
		l.mu.Unlock()
		return
	}
	// The cap: the lines that fit, then one last line that says
	// why the log ends there.
	if l.size+int64(len(lines))+logNoteRoom > l.max {
		defer l.mu.Unlock()
		fit := wholeLines(lines, int(l.max-logNoteRoom-l.size))
		if l.size+int64(fit)+logNoteRoom > l.max {
			fit = 0
		}
		note := fmt.Appendf(lines[:fit:fit], "%sthe log reached -log-max "+
			"(%s bytes): no more requests are logged\n",
			time.Now().Format("2006/01/02 15:04:05 "), thousands(l.max))
		l.notLogged += int64(count - bytes.Count(lines[:fit], newline))
		l.spool.add(note)
		l.stop(fmt.Sprintf("%s reached -log-max (%s bytes): no more requests "+
			"are logged; the server goes on answering", l.name, thousands(l.max)))
		return
	}
	// Counted before the wait, so that connections waiting at once
	// cannot pass the cap together; taken back if the lines are left
	// out.
	l.size += int64(len(lines))
	l.mu.Unlock()

	if l.spool.addWaiting(lines, logStuckAfter, stop) {
		return
	}
	l.mu.Lock()
	l.size -= int64(len(lines))
	l.mu.Unlock()
	if l.spool.stuck(logStuckAfter) {
		l.sayStuck()
	}
}

// lostInFlight counts n logged requests whose replies were lost: the
// connection was reset before its client took them.
func (l *RequestLog) lostInFlight(n int64) {
	if n == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lost += n
}

// stop ends the logging and says why, once.
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
	lost := l.spool.close(deadline)
	l.mu.Lock()
	notLogged, lostInFlight := l.notLogged+lost, l.lost
	l.mu.Unlock()
	if notLogged > 0 {
		l.warn(fmt.Sprintf("%s answered requests are not in %s", thousands(notLogged), l.name))
	}
	if lostInFlight > 0 {
		l.warn(fmt.Sprintf("as many as %s requests in %s had replies their "+
			"clients never took: still sending at the end, they were reset",
			thousands(lostInFlight), l.name))
	}
	// Closing a pipe also ends a write stuck on it.
	if closer, ok := l.file.(io.Closer); ok {
		return closer.Close()
	}
	return nil
}

// logFile is the log's file: a write that fails part-way (a full
// disk) is cut back to its last whole line, so that the file never
// ends with half a line.
type logFile struct {
	out interface {
		io.Writer
		Truncate(size int64) error
	}
	size int64 // bytes in the file
}

func (f *logFile) Write(lines []byte) (int, error) {
	n, err := f.out.Write(lines)
	whole := bytes.LastIndexByte(lines[:n], '\n') + 1
	if err != nil && whole < n {
		if cutErr := f.out.Truncate(f.size + int64(whole)); cutErr != nil {
			err = errors.Join(err, cutErr)
		}
		n = whole
	}
	f.size += int64(n)
	return n, err
}

// Close closes the file, if it is one.
func (f *logFile) Close() error {
	if closer, ok := f.out.(io.Closer); ok {
		return closer.Close()
	}
	return nil
}
