// Chapter 03: the source text's socketserver version, in Go. The
// plumbing lives in the tcpserver package, and what the prime servers
// of chapters 03 and 04 share in primeserver. This program holds the
// prime handler (server.go), the source text's client (client.go)
// and the demo (demo.go).
//
//	go run ./03-server-framework                 server and client
//	go run ./03-server-framework server [flags]  the server alone
//	go run ./03-server-framework client [-addr] [numbers...]
package main

import "workbook/03-server-framework/primeserver"

func main() { primeserver.Main(run) }

// run is main with its inputs and outputs passed in, for the tests:
// it runs the command args[0] names, or the demo without one.
var run = primeserver.Dispatch(usage, map[string]primeserver.Command{
	"": primeserver.DemoCommand(answerOne, askSourceNumbers),
	// The source text's two lines: a server, with this
	// chapter's handler.
	"server": primeserver.ServerCommand(answerOne),
	"client": runClient,
})

const usage = `usage:
  go run ./03-server-framework                 server and client together
  go run ./03-server-framework server [-addr host:port] [-log file] [-log-max size] [-max-line bytes] [-idle-timeout duration] [-max-conns n] [-max-conns-per-host n] [-quiet]
  go run ./03-server-framework client [-addr host:port] [-timeout duration] [numbers...]
  go run ./03-server-framework COMMAND -h      a command's flags
`
