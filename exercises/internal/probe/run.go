package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Kind is how a server treats a connection. Both kinds conform.
type Kind string

const (
	// OneShot servers answer one line, then close (chapter 03).
	OneShot Kind = "one-shot"
	// Persistent servers answer every line until the client
	// closes (chapter 04).
	Persistent Kind = "persistent"
	// Unknown: the probe could not tell.
	Unknown Kind = "unknown"
)

// maxConns is how many connections the probe opens at once, at most.
// A classroom server may limit each host to a few dozen.
const maxConns = 8

// connectLimit is the least time the probe gives a connection to
// open (see prober.connectLimit).
const connectLimit = 5 * time.Second

// prober asks one server.
type prober struct {
	addr    string
	timeout time.Duration

	// stopped is set once the server has refused a connection
	// twice in a row: it no longer listens, and the cases left
	// are not run.
	stopped atomic.Bool
}

// A downError says that the server cannot be reached at all.
type downError struct {
	addr    string
	refused bool  // nothing listens there
	err     error // why, when it is not a refusal or a time limit
	timeout time.Duration
}

func (e *downError) Error() string {
	switch {
	case e.refused:
		return fmt.Sprintf("nothing listens at %s (connection refused)",
			e.addr)
	case e.err == nil:
		return fmt.Sprintf("could not connect to %s within %v",
			e.addr, e.timeout)
	}
	return fmt.Sprintf("cannot connect to %s: %v", e.addr, reason(e.err))
}

// detect finds out whether the server is one-shot or persistent, on
// one connection: it asks "17\n", then "4\n". A persistent server
// answers both; a one-shot server closes after the first. It also
// says how long the first reply took: a server slow to answer 17 is
// busy with something else. The error is for a server that cannot be
// reached at all.
func (p *prober) detect(ctx context.Context) (Kind, Result,
	time.Duration, error) {
	r := Result{
		Name:     "one-shot or persistent",
		Category: Basics,
		Request:  quote("17\n") + " then " + quote("4\n"),
		Want:     quote("T\n") + " then " + quote("F\n") + " or the end",
	}
	conn, err := p.dial(ctx)
	if err != nil {
		down := &downError{addr: p.addr, refused: refused(err),
			timeout: p.connectLimit()}
		if !down.refused && !timedOut(err) {
			down.err = err
		}
		return Unknown, r, 0, down
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*p.timeout)
	defer cancel()
	stopWhenDone(ctx, conn)

	// The first request: every server must answer it.
	start := time.Now()
	p.expect(ctx, conn, p.timeout)
	x := sendLine(conn, "17\n", 1)
	took := time.Since(start)
	r.Got = quote(string(x.got))
	if string(x.got) != "T\n" || x.err != nil {
		r.Problem, r.cause = describe(firstRequest, x, p.timeout)
		return Unknown, r, took, nil
	}

	// The second one, on the same connection.
	p.expect(ctx, conn, p.timeout)
	more := sendLine(conn, "4\n", 1)
	switch {
	case string(more.got) == "F\n" && more.err == nil:
		r.Passed = true
		r.Got += " then " + quote("F\n") + ": persistent"
		return Persistent, r, took, nil
	case len(more.got) == 0 && closed(more.err):
		r.Passed = true
		r.Got += " then the end: one-shot"
		return OneShot, r, took, nil
	}
	r.Got += " then " + quote(string(more.got))
	if len(more.got) == 0 && timedOut(more.err) {
		r.Problem = fmt.Sprintf("after %s, no reply to %s within "+
			"%v, and the connection stayed open", quote("T\n"),
			quote("4\n"), p.timeout)
		r.cause = answersOnce
		return Unknown, r, took, nil
	}
	problem, cause := describe(secondRequest, more, p.timeout)
	r.Problem = "after " + quote("T\n") + ", " + problem
	r.cause = cause
	return Unknown, r, took, nil
}

// The two requests of detect, as cases, for describe.
var (
	firstRequest  = withReplies(Case{Writes: []string{"17\n"}})
	secondRequest = withReplies(Case{Writes: []string{"4\n"}})
)

// run carries out one case on a connection of its own.
func (p *prober) run(ctx context.Context, c Case) Result {
	r := Result{
		Name:     c.Name,
		Category: c.Category,
		request:  c.Request(),
		Request:  quote(c.Request()),
		want:     c.Want,
		Want:     quote(c.Want),
	}
	if p.stopped.Load() {
		r.notRun = true
		r.Problem = "not run: the server stopped listening"
		r.cause = stoppedListening
		return r
	}

	// Another client first, which waits while the case asks.
	var other net.Conn
	if c.Other != nil {
		conn, err := p.dial(ctx)
		if err != nil {
			return p.cannotConnect(ctx, r, err)
		}
		other = conn
		defer other.Close()
		if c.Other.first != "" {
			_, err := other.Write([]byte(c.Other.first))
			if err != nil {
				r.Problem = "the other client's connection " +
					"closed before it could send"
				r.cause = closedNoReply
				return r
			}
		}
	}

	conn, err := p.dial(ctx)
	if err != nil {
		return p.cannotConnect(ctx, r, err)
	}
	defer conn.Close()

	// The case's time starts once it is connected: a server whose
	// queue of waiting connections was full a moment (Python's
	// socketserver keeps 5) is not blamed for the second the
	// system waits before it tries again.
	ctx, cancel := context.WithTimeout(ctx, c.limit(p.timeout))
	defer cancel()
	stopWhenDone(ctx, conn)
	if other != nil {
		stopWhenDone(ctx, other)
	}

	own := c.ownLimit(p.timeout)
	start := time.Now()
	x := p.send(ctx, conn, c, p.expect(ctx, conn, own))
	r.took = time.Since(start)
	r.got = string(x.got)
	r.Got = quote(r.got)
	if string(x.got) != c.Want || x.err != nil || x.early != "" {
		r.Problem, r.cause = describe(c, x, own)
		switch {
		case c.Other != nil && r.cause == noReply:
			// Nothing came while the other client waited.
			r.Problem += " while another client's connection " +
				"stayed open"
			r.cause = oneAtATime
		case c.WantClose && r.cause == noReply:
			// A line that never ends, never answered.
			r.cause = noLineLimit
		}
		return r
	}

	// After the replies, a server that must close has to close,
	// and send nothing more.
	if c.WantClose {
		p.expect(ctx, conn, p.timeout)
		rest := readReplies(conn, 1)
		switch {
		case len(rest.got) > 0:
			r.Problem = fmt.Sprintf("replied %s, then sent %s",
				quote(c.Want), quote(string(rest.got)))
			r.cause = moreReplies
			return r
		case !closed(rest.err):
			r.Problem = fmt.Sprintf("replied %s, but did not "+
				"close the connection within %v", quote(c.Want),
				p.timeout)
			r.cause = notClosedLong
			return r
		}
	}

	// The other client finishes its line, and must get its reply.
	if c.Other != nil && c.Other.rest != "" {
		finish := Case{
			Writes:    []string{c.Other.first, c.Other.rest},
			Want:      c.Other.want,
			sentFirst: true,
		}
		deadline := p.expect(ctx, other, pause+p.timeout)
		x := p.send(ctx, other, finish, deadline)
		if string(x.got) != finish.Want || x.err != nil ||
			x.early != "" {
			problem, cause := describe(finish, x, p.timeout)
			r.Problem = fmt.Sprintf("replied %s; the other "+
				"client, sending %s then %s, wants %s: %s",
				quote(c.Want), quote(c.Other.first),
				quote(c.Other.rest), quote(finish.Want), problem)
			r.cause = cause
			return r
		}
	}
	r.Passed = true
	return r
}

// ownLimit is the time the case's own connection may take: the
// probe's time limit plus its pauses.
func (c Case) ownLimit(timeout time.Duration) time.Duration {
	if c.Lockstep {
		return timeout
	}
	return timeout + time.Duration(max(len(c.Writes)-1, 0))*pause
}

// cannotConnect is the result of a case that could not connect. A
// refusal is asked again: if it holds, the server has stopped
// listening, and the cases left are not run.
func (p *prober) cannotConnect(ctx context.Context, r Result,
	err error) Result {
	switch {
	case timedOut(err) && ctx.Err() == nil:
		r.Problem = fmt.Sprintf("could not connect within %v",
			p.connectLimit())
		r.cause = cannotConnect
	case (refused(err) || wasReset(err)) && p.stillRefused(ctx):
		// A connection reset as it opens: the server closed its
		// listener while the connection waited to be accepted.
		p.stopped.Store(true)
		r.Problem = "connection refused: the server no longer listens"
		if wasReset(err) {
			r.Problem = "the connection was reset as it opened, " +
				"and the next ones refused: the server no " +
				"longer listens"
		}
		r.cause = stoppedListening
	case wasReset(err):
		r.Problem = "the connection was reset as it opened"
		r.cause = resetNoReply
	case refused(err):
		r.Problem = "connection refused, though the server still " +
			"listens: its queue of waiting connections was full?"
		r.cause = refusedOnce
	default:
		r.Problem = fmt.Sprintf("cannot connect: %v", reason(err))
		r.cause = unexpected
	}
	return r
}

// stillRefused asks for a connection again, twice, a little apart:
// a server that refuses them too has stopped listening. (Windows
// refuses a connection when a server's queue is full, where Linux
// lets it wait.)
func (p *prober) stillRefused(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*connectLimit)
	defer cancel()
	for range 2 {
		if sleep(ctx, 100*time.Millisecond) != nil {
			return false
		}
		var dialer net.Dialer
		conn, err := dialer.DialContext(ctx, "tcp", p.addr)
		if err == nil {
			conn.Close()
			return false
		}
		if !refused(err) {
			return false
		}
	}
	return true
}

// An exchange is what came back on one connection.
type exchange struct {
	// got is every byte the server sent.
	got []byte
	// err is why the reading stopped: nil when every reply came.
	err error
	// early is what the probe had sent when the server replied,
	// or closed, before the request was complete; "" otherwise.
	early string
}

// send writes the case's request and reads the replies, until the
// connection's deadline.
func (p *prober) send(ctx context.Context, conn net.Conn, c Case,
	deadline time.Time) exchange {
	lines := bytes.Count([]byte(c.Want), []byte("\n"))

	// Lock-step: one line, its reply, the next line...
	if c.Lockstep {
		var got []byte
		for _, line := range c.Writes {
			x := sendLine(conn, line, 1)
			got = append(got, x.got...)
			if x.err != nil || !strings.HasPrefix(c.Want,
				string(got)) {
				return exchange{got: got, err: x.err}
			}
		}
		return exchange{got: got}
	}

	// Otherwise every write, with a pause between two, during
	// which nothing may come back: the line is not complete.
	for i, piece := range c.Writes {
		if i == 0 && c.sentFirst {
			continue
		}
		if i > 0 {
			early := p.readDuring(ctx, conn, pause, deadline)
			if len(early.got) > 0 || !timedOut(early.err) {
				early.early = strings.Join(c.Writes[:i], "")
				return early
			}
		}
		// The case's time may have run out during the pause.
		if ctx.Err() != nil {
			return exchange{err: ctx.Err()}
		}
		_, err := conn.Write([]byte(piece))
		switch {
		case timedOut(err):
			return exchange{err: err}
		case err != nil:
			// The server closed, or reset, the connection:
			// what it sent before is still worth showing.
			x := p.readDuring(ctx, conn, pause, deadline)
			if len(x.got) == 0 {
				x.err = err
			}
			x.early = strings.Join(c.Writes[:i], "")
			return x
		}
	}
	if c.EndWrite {
		if err := closeWrite(conn); err != nil {
			return exchange{err: err}
		}
	}
	return readReplies(conn, lines)
}

// sendLine sends one request and reads its replies.
func sendLine(conn net.Conn, request string, lines int) exchange {
	if _, err := conn.Write([]byte(request)); err != nil {
		return exchange{err: err}
	}
	return readReplies(conn, lines)
}

// readReplies reads until it has the given number of lines, or the
// connection ends, or its deadline passes. It reads at most a few
// bytes more than expected: a server that sends without end cannot
// fill the probe's memory.
func readReplies(conn net.Conn, lines int) exchange {
	limit := 2*lines + 64
	var got []byte
	buffer := make([]byte, 512)
	for bytes.Count(got, []byte("\n")) < lines && len(got) < limit {
		n, err := conn.Read(buffer)
		got = append(got, buffer[:n]...)
		if err != nil {
			return exchange{got: got, err: err}
		}
	}
	return exchange{got: got}
}

// readDuring reads what comes within d, a line at most, then puts
// the connection's deadline back. Its error is a time-out when
// nothing came.
func (p *prober) readDuring(ctx context.Context, conn net.Conn,
	d time.Duration, deadline time.Time) exchange {
	if err := conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		return exchange{err: err}
	}
	x := readReplies(conn, 1)
	if ctx.Err() == nil {
		// An error means the connection is closed already.
		_ = conn.SetReadDeadline(deadline)
	}
	if ctx.Err() != nil && x.err == nil {
		x.err = ctx.Err()
	}
	return x
}

// dial connects, within connectLimit or the probe's time limit if it
// is longer, unless ctx ends first (Ctrl-C).
func (p *prober) dial(ctx context.Context) (net.Conn, error) {
	dialer := net.Dialer{Timeout: p.connectLimit()}
	return dialer.DialContext(ctx, "tcp", p.addr)
}

// connectLimit is the time a connection may take to open: a few
// seconds at least, so that a dropped first try, which the system
// repeats a second later, or Windows's two seconds to say that
// nothing listens, fit in it.
func (p *prober) connectLimit() time.Duration {
	return max(p.timeout, connectLimit)
}

// stopWhenDone moves the connection's deadline to now when ctx ends:
// the case's time is up, or the probe is interrupted (Ctrl-C). That
// ends any read or write.
func stopWhenDone(ctx context.Context, conn net.Conn) {
	context.AfterFunc(ctx, func() {
		// An error means the connection is closed already.
		_ = conn.SetDeadline(time.Now())
	})
}

// expect gives the connection d from now for what comes next, unless
// the case has ended already, and returns that deadline.
func (p *prober) expect(ctx context.Context, conn net.Conn,
	d time.Duration) time.Time {
	deadline := time.Now().Add(d)
	if ctx.Err() != nil {
		return time.Now()
	}
	// An error means the connection is closed already.
	_ = conn.SetDeadline(deadline)
	return deadline
}

// reason is a network error without the address the reader knows:
// "connect: connection refused", not "dial tcp 127.0.0.1:1: ...".
func reason(err error) error {
	var opError *net.OpError
	if errors.As(err, &opError) {
		return opError.Err
	}
	return err
}

// closeWrite ends the probe's side of the connection: the server
// reads the end of the data, and can still reply.
func closeWrite(conn net.Conn) error {
	type closeWriter interface{ CloseWrite() error }
	half, ok := conn.(closeWriter)
	if !ok {
		return errors.New("cannot end one side of this connection")
	}
	return half.CloseWrite()
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Windows's own numbers for what Linux and macOS call ECONNRESET,
// ECONNABORTED and ECONNREFUSED: Go's syscall package on Windows
// returns them as they are (it defines the first two as
// syscall.WSAECONNRESET and WSAECONNABORTED, in Windows builds only).
// Elsewhere no error has these numbers.
const (
	wsaeconnaborted = syscall.Errno(10053)
	wsaeconnreset   = syscall.Errno(10054)
	wsaeconnrefused = syscall.Errno(10061)
)

// closed reports whether err means the server closed the connection:
// the end of the data, or a reset. Linux says EPIPE to a read after
// a reset that follows the server's end of data; Windows says
// WSAECONNABORTED when its own side gave up on the connection.
func closed(err error) bool {
	return errors.Is(err, io.EOF) || wasReset(err) ||
		errors.Is(err, syscall.EPIPE)
}

// wasReset reports whether err is a reset (RST), on any system.
func wasReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, wsaeconnreset) ||
		errors.Is(err, wsaeconnaborted)
}

// refused reports whether a connection was refused: nothing listens
// at the address.
func refused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, wsaeconnrefused)
}

// timedOut reports whether err is a time limit that passed: a
// deadline, or a dial's own time-out.
func timedOut(err error) bool {
	var netError net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &netError) && netError.Timeout())
}
