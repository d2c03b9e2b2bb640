package main

import (
	"errors"

	"workbook/03-server-framework/primeserver"
	"workbook/03-server-framework/tcpserver"
)

// answerOne is the business code: Python's PrimeTCPHandler.handle.
// It answers one request, as the source text does; the server then
// flushes the reply and closes the connection. Everything else, from
// the flags to shutting down, is the framework's, and chapter 04
// shares it.
func answerOne(c *tcpserver.Conn, judge primeserver.Judge) {
	line, err := c.ReadLine()
	if err != nil && !errors.Is(err, tcpserver.ErrLineTooLong) {
		// The client left, went quiet, or the server is
		// stopping: there is nobody to answer.
		return
	}
	verdict, err := judge.Verdict(c, line, err)
	if err != nil {
		// The server stopped answering before this request's
		// turn came.
		return
	}
	// A failed write shows at the server's Flush, which logs it.
	_, _ = c.Writer.Write(verdict.Reply())
}
