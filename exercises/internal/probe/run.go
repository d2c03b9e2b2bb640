package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
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

// prober asks one server.
type prober struct {
	addr    string
	timeout time.Duration
}

// detect finds out whether the server is one-shot or persistent, on
// one connection: it asks "17\n", then "4\n". A persistent server
// answers both; a one-shot server closes after the first. The error
// is for a server that cannot be reached at all.
func (p *prober) detect(ctx context.Context) (Kind, Result, error) {
	r := Result{
		Name:    "one-shot or persistent",
		Request: quote("17\n") + " then " + quote("4\n"),
		Want:    quote("T\n") + " then " + quote("F\n") + " or the end",
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	conn, err := p.dial(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return Unknown, r, fmt.Errorf("cannot connect to %s: "+
			"no answer within %v", p.addr, p.timeout)
	}
	if err != nil {
		return Unknown, r, fmt.Errorf("cannot connect to %s: %v",
			p.addr, reason(err))
	}
	defer conn.Close()

	// The first request: every server must answer it.
	got, err := exchange(conn, "17\n", 1)
	r.Got = quote(string(got))
	if string(got) != "T\n" || err != nil {
		r.Problem = describe(got, err, "T\n", p.timeout) +
			"; the probe cannot tell one-shot from persistent, " +
			"and leaves out the cases for persistent servers"
		return Unknown, r, nil
	}

	// The second one, on the same connection.
	more, err := exchange(conn, "4\n", 1)
	switch {
	case string(more) == "F\n" && err == nil:
		r.Passed = true
		r.Got += " then " + quote("F\n") + ": persistent"
		return Persistent, r, nil
	case len(more) == 0 && closed(err):
		r.Passed = true
		r.Got += " then the end: one-shot"
		return OneShot, r, nil
	}
	r.Got += " then " + quote(string(more))
	r.Problem = "after " + quote("T\n") + ", " +
		describe(more, err, "F\n", p.timeout) +
		"; the probe cannot tell one-shot from persistent, " +
		"and leaves out the cases for persistent servers"
	return Unknown, r, nil
}

// run carries out one case on a connection of its own.
func (p *prober) run(ctx context.Context, c Case) Result {
	r := Result{
		Name:    c.Name,
		request: c.Request(),
		Request: quote(c.Request()),
		want:    c.Want,
		Want:    quote(c.Want),
	}
	limit := c.limit(p.timeout)
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	conn, err := p.dial(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		r.Problem = fmt.Sprintf("could not connect within %v", limit)
		return r
	}
	if err != nil {
		r.Problem = fmt.Sprintf("cannot connect: %v", reason(err))
		return r
	}
	defer conn.Close()

	got, err := send(ctx, conn, c)
	r.got = string(got)
	r.Got = quote(r.got)
	if string(got) != c.Want || err != nil {
		r.Problem = describe(got, err, c.Want, limit)
		return r
	}

	// After the replies, a server that must close has to close,
	// and send nothing more.
	if c.WantClose {
		rest, err := readReplies(conn, 1)
		switch {
		case len(rest) > 0:
			r.Problem = fmt.Sprintf("replied %s, then sent %s",
				quote(c.Want), quote(string(rest)))
			return r
		case !closed(err):
			r.Problem = fmt.Sprintf("replied %s, but did not "+
				"close the connection within %v", quote(c.Want),
				limit)
			return r
		}
	}
	r.Passed = true
	return r
}

// send writes the case's request and reads the replies.
func send(ctx context.Context, conn net.Conn, c Case) ([]byte, error) {
	lines := bytes.Count([]byte(c.Want), []byte("\n"))

	// Lock-step: one line, its reply, the next line...
	if c.Lockstep {
		var got []byte
		for _, line := range c.Writes {
			reply, err := exchange(conn, line, 1)
			got = append(got, reply...)
			if err != nil || !bytes.HasPrefix([]byte(c.Want), got) {
				return got, err
			}
		}
		return got, nil
	}

	// Otherwise every write, with a pause between two, then the
	// replies.
	for i, piece := range c.Writes {
		if i > 0 {
			if err := sleep(ctx, pause); err != nil {
				return nil, err
			}
		}
		if _, err := conn.Write([]byte(piece)); err != nil {
			return nil, err
		}
	}
	if c.EndWrite {
		if err := closeWrite(conn); err != nil {
			return nil, err
		}
	}
	return readReplies(conn, lines)
}

// exchange sends one request and reads its replies.
func exchange(conn net.Conn, request string, lines int) ([]byte, error) {
	if _, err := conn.Write([]byte(request)); err != nil {
		return nil, err
	}
	return readReplies(conn, lines)
}

// readReplies reads until it has the given number of lines, or the
// connection ends, or its deadline passes. It reads at most a few
// bytes more than expected: a server that sends without end cannot
// fill the probe's memory.
func readReplies(conn net.Conn, lines int) ([]byte, error) {
	limit := 2*lines + 64
	var got []byte
	buffer := make([]byte, 512)
	for bytes.Count(got, []byte("\n")) < lines && len(got) < limit {
		n, err := conn.Read(buffer)
		got = append(got, buffer[:n]...)
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

// dial connects with the case's deadline, and gives the connection
// the same deadline. If the probe is interrupted (Ctrl-C), the
// deadline moves to now, which ends any read or write.
func (p *prober) dial(ctx context.Context) (net.Conn, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, err
	}
	context.AfterFunc(ctx, func() {
		// An error means the connection is closed already.
		_ = conn.SetDeadline(time.Now())
	})
	return conn, nil
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
		return os.ErrDeadlineExceeded
	}
}

// closed reports whether err means the server closed the connection:
// the end of the data, or a reset.
func closed(err error) bool {
	return errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}

// describe says, in words, what came back instead of want: got is
// what arrived, err why the reading stopped.
func describe(got []byte, err error, want string,
	limit time.Duration) string {
	var ending string
	switch {
	case err == nil:
		return "got " + mismatch(got, want)
	case errors.Is(err, os.ErrDeadlineExceeded):
		ending = fmt.Sprintf("nothing within %v", limit)
		if len(got) == 0 {
			return "no reply within " + limit.String()
		}
	case errors.Is(err, io.EOF):
		ending = "the connection closed"
		if len(got) == 0 {
			return "the connection closed without a reply"
		}
	case errors.Is(err, syscall.ECONNRESET):
		ending = "the connection was reset"
		if len(got) == 0 {
			return "the connection was reset without a reply"
		}
	default:
		return fmt.Sprintf("got %s, then an error: %v",
			brief(string(got)), err)
	}
	return fmt.Sprintf("got %s, then %s", brief(string(got)), ending)
}

// mismatch shows a complete reply that differs from want. When there
// are many replies, it names the first that differs.
func mismatch(got []byte, want string) string {
	gotLines := bytes.SplitAfter(got, []byte("\n"))
	wantLines := bytes.SplitAfter([]byte(want), []byte("\n"))
	if len(wantLines) <= 2 {
		return brief(string(got))
	}
	replies := len(wantLines) - 1
	for i := range gotLines {
		if i >= replies {
			return fmt.Sprintf("%d replies, then %s", replies,
				brief(string(bytes.Join(gotLines[i:], nil))))
		}
		if !bytes.Equal(gotLines[i], wantLines[i]) {
			return fmt.Sprintf("%s as reply %d of %d, want %s",
				quote(string(gotLines[i])), i+1, replies,
				quote(string(wantLines[i])))
		}
	}
	return brief(string(got))
}
