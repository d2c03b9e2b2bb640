package main

import (
	"errors"
	"io"
	"time"

	"workbook/03-server-framework/primeserver"
)

// runDemo starts the server on a free port, runs the source text's
// client against it, then shuts the server down.
func runDemo(stdout, stderr io.Writer) int {
	return primeserver.Demo(answerOne, demoClient, stdout, stderr)
}

// demoClient asks about the source text's numbers, each on a
// connection of its own.
func demoClient(addr string, out io.Writer) error {
	if !askEach(addr, sourceNumbers, 5*time.Second, out) {
		return errors.New("some replies were missing or not understood")
	}
	return nil
}
