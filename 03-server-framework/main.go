// Chapter 03: the source text's socketserver version, in Go. The
// framework is the tcpserver package, and what a server needs to face
// a class is the classroom package around it. This program holds the
// prime handler and the source text's two lines (server.go), the
// source text's client (client.go) and the demo (demo.go).
//
//	go run ./03-server-framework                 server and client
//	go run ./03-server-framework server [flags]  the server alone
//	go run ./03-server-framework client [-addr] [numbers...]
package main

import (
	"workbook/03-server-framework/classroom"
	"workbook/03-server-framework/command"
)

func main() { command.Main(run) }

// run is main with its inputs and outputs passed in, for the tests:
// it runs the command args[0] names, or the demo without one.
var run = command.Dispatch(usage, map[string]command.Command{
	"":       classroom.DemoCommand(serve, askSourceNumbers),
	"server": classroom.ServerCommand(serve),
	"client": runClient,
})

const usage = `usage:
  go run ./03-server-framework                 server and client together
  go run ./03-server-framework server [-addr host:port] [-log file|off] [-log-max size] [-max-line-bytes n] [-idle-timeout duration] [-max-conns n] [-max-conns-per-host n] [-quiet]
  go run ./03-server-framework client [-addr host:port] [-timeout duration] [numbers...]
  go run ./03-server-framework COMMAND -h      a command's flags
`
