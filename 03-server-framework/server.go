package main

import (
	"errors"

	"workbook/03-server-framework/classroom"
	"workbook/03-server-framework/tcpserver"
	"workbook/prime"
)

// answerOne is the business code: Python's PrimeTCPHandler, whose
// handle() answers one request, as the source text does. When Handle
// returns, the server flushes the reply and closes the connection.
type answerOne struct {
	class *classroom.Class
}

func (h answerOne) Handle(c *tcpserver.Conn) {
	// data = self.rfile.readline().strip()
	line, err := c.ReadLine()
	tooLong := errors.Is(err, tcpserver.ErrLineTooLong)
	if err != nil && !tooLong {
		// The client left, went quiet, or the server is
		// stopping: there is nobody to answer.
		return
	}

	// number = int(data), then isprime(number): prime.Judge does
	// both. A line too long is no number: E, without a look.
	verdict := prime.Invalid
	if !tooLong {
		verdict, err = h.class.Judge(c, line)
		if err != nil {
			// The server stopped before this number's turn.
			return
		}
	}

	// print(response), and the line in prime_server.log.
	h.class.Record(c, line, verdict)

	// self.wfile.write(response + b'\n'). A failed write shows in
	// c.Err(), which the classroom reports.
	_, _ = c.Writer.Write(verdict.Reply())
}

// serve is the source text's two lines, in Go:
//
//	server = socketserver.TCPServer(params, PrimeTCPHandler)
//	server.serve_forever()
//
// The classroom gives the settings and the listener, guards the
// handler, and stops the server on Ctrl-C.
func serve(class *classroom.Class) error {
	server := &tcpserver.Server{
		Handler:      class.Guard(answerOne{class}),
		IdleTimeout:  class.IdleTimeout,
		MaxLineBytes: class.MaxLineBytes,
		ErrorLog:     class.ErrorLog,
	}
	class.StopOnCtrlC(server)
	return server.Serve(class.Listener)
}
