package main

import (
	"errors"
	"io"
	"time"
)

// askSourceNumbers is the demo's client: the source text's numbers,
// each on a connection of its own. The demo starts the server on a
// free port first, and shuts it down after.
func askSourceNumbers(addr string, out io.Writer) error {
	if !askEach(addr, sourceNumbers, 5*time.Second, out) {
		return errors.New("some replies were missing or not understood")
	}
	return nil
}
