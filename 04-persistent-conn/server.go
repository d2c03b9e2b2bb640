package main

import (
	"errors"

	"workbook/03-server-framework/classroom"
	"workbook/03-server-framework/tcpserver"
	"workbook/prime"
)

// answerEach is this chapter's handler, and the only difference from
// chapter 03's server: the same framework, a new handler. It answers
// every line of the connection, in order, until the client hangs up,
// goes quiet, or the server shuts down.
type answerEach struct {
	class *classroom.Class
}

func (h answerEach) Handle(c *tcpserver.Conn) {
	for {
		line, err := c.ReadLine()
		tooLong := errors.Is(err, tcpserver.ErrLineTooLong)
		if err != nil && !tooLong {
			// The client left, went quiet, or the server is
			// stopping. The server flushes what was answered.
			return
		}
		verdict := prime.Invalid
		if !tooLong {
			verdict, err = h.class.Judge(c, line)
			if err != nil {
				// The server stopped before this
				// number's turn.
				return
			}
		}
		h.class.Record(c, line, verdict)
		if _, err := c.Writer.Write(verdict.Reply()); err != nil || tooLong {
			// After a line too long the server hangs up: the
			// rest of the line would read as more requests.
			return
		}

		// Flush only when no complete request is waiting: a
		// pipelined batch goes back in few writes (the writer
		// sends 256 replies at a time), and a client in
		// lock-step gets each reply at once.
		if !c.HasLine() {
			if err := c.Writer.Flush(); err != nil {
				return
			}
		}
	}
}

// serve is chapter 03's two lines, with this chapter's handler.
func serve(class *classroom.Class) error {
	server := &tcpserver.Server{
		Handler:      class.Guard(answerEach{class}),
		IdleTimeout:  class.IdleTimeout,
		MaxLineBytes: class.MaxLineBytes,
		ErrorLog:     class.ErrorLog,
	}
	class.StopOnCtrlC(server)
	return server.Serve(class.Listener)
}
