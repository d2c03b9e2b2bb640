package main

import (
	"fmt"
	"io"
	"net"
)

// connectedPair opens a real TCP connection on the loopback interface
// and returns both of its ends, so a demonstration can play client
// and server at once.
func connectedPair() (client, server net.Conn, err error) {
	// Port 0: any free port.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("listening: %w", err)
	}
	defer listener.Close()

	client, err = net.Dial("tcp", listener.Addr().String())
	if err != nil {
		return nil, nil, fmt.Errorf("dialing: %w", err)
	}
	server, err = listener.Accept()
	if err != nil {
		client.Close()
		return nil, nil, fmt.Errorf("accepting: %w", err)
	}
	return client, server, nil
}

// sendOver sends bytes from one end of a loopback connection and
// returns what the other end received, all of it.
func sendOver(sent []byte) ([]byte, error) {
	client, server, err := connectedPair()
	if err != nil {
		return nil, err
	}
	defer server.Close()

	if _, err := client.Write(sent); err != nil {
		client.Close()
		return nil, fmt.Errorf("writing: %w", err)
	}
	// Closing the client is the end of the data: ReadAll stops
	// at io.EOF.
	if err := client.Close(); err != nil {
		return nil, fmt.Errorf("closing: %w", err)
	}
	received, err := io.ReadAll(server)
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	return received, nil
}
