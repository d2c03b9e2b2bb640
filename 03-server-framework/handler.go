package main

import (
	"errors"
	"fmt"
	"log"

	"workbook/03-server-framework/tcpserver"
	"workbook/prime"
)

// primeHandler is the business code: Python's PrimeTCPHandler. It
// answers one line per connection, as the source text does.
type primeHandler struct {
	// screen shows every request, quoted, on the server's terminal.
	screen *log.Logger
	// requestLog is the log file, one line per request; nil for
	// none.
	requestLog *log.Logger
	// maxLine is the server's line limit, to say so in the log.
	maxLine int
}

// Handle reads one request, replies, and lets the server close the
// connection.
func (h primeHandler) Handle(c *tcpserver.Conn) {
	line, err := c.ReadLine()
	var verdict prime.Verdict
	switch {
	case err == nil:
		verdict = prime.Judge(line)
	case errors.Is(err, tcpserver.ErrLineTooLong):
		// Too long to be a number: answer E and hang up.
		verdict = prime.Invalid
		line = line[:min(len(line), 20)]
	default:
		// The client left, went quiet, or the server is
		// stopping: there is nobody to answer.
		return
	}
	h.record(c, line, err, verdict)

	if _, err := c.Writer.Write(verdict.Reply()); err != nil {
		h.screen.Printf("replying to %s: %v", c.RemoteAddr, err)
	}
}

// record shows the request on screen and appends it to the log file.
// Each logger writes one line with one Write, under its own lock, so
// lines from concurrent connections never mix.
func (h primeHandler) record(c *tcpserver.Conn, line []byte,
	err error, verdict prime.Verdict) {
	// %q: what a client sends may hold escape sequences, and the
	// screen may be a projector.
	request := quote(line, err, h.maxLine)
	h.screen.Printf("%s sent %s: %c", c.RemoteAddr, request, verdict)
	if h.requestLog != nil {
		h.requestLog.Printf("%s %s %c", c.RemoteAddr, request, verdict)
	}
}

func quote(line []byte, err error, maxLine int) string {
	if errors.Is(err, tcpserver.ErrLineTooLong) {
		return fmt.Sprintf("%q... (a line over %d bytes)",
			line, maxLine)
	}
	return fmt.Sprintf("%q", line)
}
