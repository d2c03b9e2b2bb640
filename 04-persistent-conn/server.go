package main

import (
	"errors"

	"workbook/03-server-framework/primeserver"
	"workbook/03-server-framework/tcpserver"
)

// answerEach is this chapter's handler, and the only difference from
// chapter 03's server: the same framework, a new handler. It answers
// every line of the connection, in order, until the client hangs up,
// goes quiet, or the server shuts down.
func answerEach(c *tcpserver.Conn, judge primeserver.Judge) {
	for {
		line, err := c.ReadLine()
		if errors.Is(err, tcpserver.ErrLineTooLong) {
			// E, then the server hangs up: the rest of the
			// line would read as more requests.
			_, _ = c.Writer.Write(judge.Verdict(c, line, err).Reply())
			return
		}
		if err != nil {
			// The client left, went quiet, or the server is
			// stopping. The server flushes what was answered.
			return
		}
		if _, err := c.Writer.Write(judge.Verdict(c, line, nil).Reply()); err != nil {
			return
		}

		// Flush only when no complete request is waiting: a
		// pipelined batch goes back in one write, and a client
		// in lock-step gets each reply at once.
		if !c.HasLine() {
			if err := c.Writer.Flush(); err != nil {
				return
			}
		}
	}
}
