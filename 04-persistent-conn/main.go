// Chapter 04: one connection for many requests. The server is
// chapter 03's framework with a new handler (server.go), which
// answers every line of a connection, in order, until the client
// hangs up; the client (client.go) can wait for each reply or send
// many requests at once. The bench command (bench.go) measures what
// that saves.
//
//	go run ./04-persistent-conn                 the demo
//	go run ./04-persistent-conn server [flags]  the server alone
//	go run ./04-persistent-conn client [-addr] [-pipeline] [numbers...]
//	go run ./04-persistent-conn bench [-addr] [-n] [-c] [-runs] [-python] [-python-backlog] [-minimal]
//	go run ./04-persistent-conn minimal [-addr]  the bench's yardstick
package main

import (
	"workbook/03-server-framework/classroom"
	"workbook/03-server-framework/command"
)

func main() { command.Main(run) }

// run is main with its inputs and outputs passed in, for the tests:
// it runs the command args[0] names, or the demo without one.
// Its commands are chapter 03's, and the bench.
var run = command.Dispatch(usage, map[string]command.Command{
	"": classroom.DemoCommand(serve, demoClients),
	// Chapter 03's server command, with this chapter's
	// handler: the only difference between the two servers.
	"server":  classroom.ServerCommand(serve),
	"client":  runClient,
	"bench":   runBench,
	"minimal": runMinimal,
})

const usage = `usage:
  go run ./04-persistent-conn                  server and client together
  go run ./04-persistent-conn server [-addr host:port] [-log file|off] [-log-max size] [-max-line-bytes n] [-idle-timeout duration] [-max-conns n] [-max-conns-per-host n] [-quiet]
  go run ./04-persistent-conn client [-addr host:port] [-pipeline] [-timeout duration] [numbers...]
  go run ./04-persistent-conn bench [-addr host:port] [-n requests] [-c clients] [-runs n] [-python] [-python-backlog n] [-minimal]
  go run ./04-persistent-conn minimal [-addr host:port]   the yardstick bench -minimal measures against
  go run ./04-persistent-conn COMMAND -h       a command's flags
`
