// Package classroom is what a prime server needs around the
// framework to face a class: the teacher projects it, and students
// connect from their laptops. Each guarantee is a file of its own, and
// each is added from outside tcpserver, the way net/http's servers
// are guarded, so that the framework stays a lesson:
//
//   - limits.go: one laptop cannot take the server (connections per
//     host and in all, a listener that wraps the server's);
//   - turns.go: numbers of 20 digits or more take turns, host by host
//     (Judge);
//   - shutdown.go: Ctrl-C answers what has arrived and exits within
//     3 seconds, with no reset (StopOnCtrlC);
//   - events.go: the screen says why connections ended (Guard);
//   - screen.go and display.go: a screen that never blocks the
//     server and never shows raw bytes;
//   - requestlog.go: a log with one whole line per answered request;
//   - spool.go: the one background writer behind the screen, stderr
//     and the log;
//   - settings.go and command.go: the flags, and the server and demo
//     commands of chapters 03 and 04.
package classroom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"workbook/03-server-framework/tcpserver"
	"workbook/prime"
)

// A Class is a server's classroom: its settings, the listener that
// keeps the limits, the screen, the log, the turns, and the shutdown.
type Class struct {
	Settings
	// Listener is where students connect: Serve it.
	Listener net.Listener
	// ErrorLog is for the server's own troubles, on stderr.
	ErrorLog *log.Logger

	ctx      context.Context // ends on Ctrl-C
	cancel   context.CancelFunc
	say      *log.Logger // the server's own lines on the screen
	screen   *Screen
	show     bool        // each request on the screen (not -quiet)
	log      *RequestLog // nil: no log
	errors   *spool      // stderr, written in the background
	turns    *turns
	stopping chan struct{} // closed when answering stops (Close)
	stopped  chan struct{} // closed when the shutdown is over (StopOnCtrlC)
	stopAt   time.Time     // when the shutdown began, once stopped is closed
}

// open makes a class on listener, with screen for its screen. ctx
// ends the serving (Ctrl-C).
func open(ctx context.Context, settings Settings, listener net.Listener,
	screen *Screen, stderr io.Writer) *Class {
	class := &Class{
		Settings: settings,
		screen:   screen,
		show:     !settings.Quiet,
		turns:    newTurns(),
		stopping: make(chan struct{}),
	}
	class.ctx, class.cancel = context.WithCancel(ctx)
	class.say = log.New(screen, "server | ", 0)
	// stderr too is written in the background: a terminal that
	// stops reading must not stop the server.
	class.errors = newSpool(stderr, screenRoom, 0, nil)
	class.ErrorLog = log.New(class.errors, "server: ", 0)
	class.Listener = newLimits(listener, class)
	return class
}

// warn says a problem on the screen and on stderr.
func (class *Class) warn(problem string) {
	class.say.Print(problem)
	class.ErrorLog.Print(problem)
}

// Record shows an answered request on the screen and logs it: what
// the source text's handler does with print(response) and its
// prime_server.log. Neither waits for the terminal: the screen shows
// a few requests a second and counts the others. The log waits only
// for a file that is slow, and logs the request once its reply has
// left. Both show the request quoted with %+q: it can hold escape
// sequences and look-alike characters, and the screen may be a
// projector.
func (class *Class) Record(c *tcpserver.Conn, line []byte, verdict prime.Verdict) {
	if !class.show && class.log == nil {
		// -quiet and -log off: nothing to record.
		return
	}
	student, ok := c.NetConn.(*studentConn)
	if !ok {
		student = class.newStudentConn(c.NetConn, hostOf(c.RemoteAddr), nil)
	}
	// A line too long gets E: say so, and show only its start.
	tooLong := verdict == prime.Invalid && errors.Is(c.Err(), tcpserver.ErrLineTooLong)
	class.record(student, line, tooLong, verdict)
}

// record is Record for student's connection. tooLong means line is
// only the first MaxLineBytes of a line with no newline.
func (class *Class) record(student *studentConn, line []byte,
	tooLong bool, verdict prime.Verdict) {
	if class.show && class.screen.mayShow(student.dropped) {
		shown := append([]byte("server | "), student.peer...)
		shown = append(shown, " sent "...)
		shown = appendRequest(shown, line, tooLong, class.MaxLineBytes)
		shown = append(shown, ": "...)
		shown = append(shown, byte(verdict), '\n')
		class.screen.showRequest(shown, student.dropped)
	}
	if class.log != nil {
		class.log.record(student, line, tooLong, class.MaxLineBytes, verdict)
	}
}

// How long the last lines may take at exit, after the answering. The
// log gets what is left of exitBudget, counted from Ctrl-C, but at
// least logCloseWait, and the terminal then screenCloseWait: a log
// file and a terminal that take no writes cannot hold the server past
// its 3 seconds.
const (
	exitBudget      = 3 * time.Second
	logCloseWait    = 200 * time.Millisecond
	screenCloseWait = 200 * time.Millisecond
)

// finish ends the class once its server's Serve has returned err: it
// waits for the shutdown, then writes the log's and the screen's last
// lines. It returns the exit code.
func (class *Class) finish(err error) int {
	code := 0
	if !errors.Is(err, tcpserver.ErrServerClosed) {
		// Accept failed for good: stop as Ctrl-C does.
		class.ErrorLog.Print(err)
		code = 1
	}
	class.cancel()
	logBy := time.Now().Add(logCloseWait)
	if class.stopped != nil {
		<-class.stopped
		// The margin is for the process's own exit.
		left := class.stopAt.Add(exitBudget - screenCloseWait - 100*time.Millisecond)
		if left.After(logBy) {
			logBy = left
		}
	}
	class.say.Print("stopped")
	if class.log != nil {
		if err := class.log.Close(logBy); err != nil {
			class.ErrorLog.Printf("closing the log: %v", err)
			code = 1
		}
	}
	class.closeTerminal()
	return code
}

// closeTerminal shows the screen's and stderr's last lines, waiting
// for a terminal that does not read screenCloseWait at most.
func (class *Class) closeTerminal() {
	deadline := time.Now().Add(screenCloseWait)
	class.screen.Close(deadline)
	class.errors.close(deadline)
}

// openLog opens the request log, if the settings ask for one.
func (class *Class) openLog() error {
	if !class.logging() {
		return nil
	}
	requestLog, err := OpenRequestLog(class.Log, class.LogMax, class.warn)
	if err != nil {
		return fmt.Errorf("cannot open the log: %w", err)
	}
	class.log = requestLog
	return nil
}
