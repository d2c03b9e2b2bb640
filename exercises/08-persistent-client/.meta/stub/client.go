// Package persistentclient is exercise 08: a client that asks about
// many numbers on one connection.
package persistentclient

// AskAll connects once to the prime server at addr, asks about each
// number in order on that one connection (each sent as the number and
// "\n"), and returns the verdicts in the same order: "T", "F" or "E",
// without the "\n".
//
// It returns an error, and no verdicts, if it cannot connect, if the
// server closes the connection before every number is answered, or
// if a reply is not "T\n", "F\n" or "E\n". It never waits more than 5
// seconds for the server.
func AskAll(addr string, numbers []string) ([]string, error) {
	// TODO: dial, then send and read on the same connection.
	return nil, nil
}
