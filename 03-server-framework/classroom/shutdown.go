package classroom

import (
	"context"
	"time"

	"workbook/03-server-framework/tcpserver"
)

// answerBudget is how long Ctrl-C lets the server answer what has
// arrived. Then Close takes at most a second, the log what is left
// of 3 seconds but for the terminal's 0.2 s (see finish): the server
// exits within 3 seconds.
const answerBudget = 1500 * time.Millisecond

// StopOnCtrlC shuts server down when Ctrl-C (or SIGTERM, or SIGHUP)
// ends the class's context: it stops accepting and answers every
// line that has arrived, for up to answerBudget. A server still
// answering then stops now, politely (tcpserver's Close): each client
// gets its replies so far, in order, then the end of the data, never
// a reset, and the screen says so. Call it before Serve.
func (class *Class) StopOnCtrlC(server *tcpserver.Server) {
	class.stopped = make(chan struct{})
	go func() {
		defer close(class.stopped)
		<-class.ctx.Done()
		class.stopAt = time.Now()
		class.say.Print("shutting down: answering the requests received")
		ctx, cancel := context.WithTimeout(context.Background(), answerBudget)
		defer cancel()
		if server.Shutdown(ctx) == nil {
			return
		}
		class.say.Printf("still answering after %v: stopping now; each "+
			"client gets the replies so far, then the end", answerBudget)
		// Heavy numbers waiting for a turn give up.
		close(class.stopping)
		_ = server.Close()
	}()
}
