package main

import (
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"time"

	"workbook/internal/python"
)

// pythonServer is the source text's server, made persistent, for the
// bench's comparison.
//
//go:embed python_server.py
var pythonServer string

// startPythonServer runs python_server.py with python3 on a free
// port, with room for backlog connections waiting to be accepted,
// and returns how to stop it.
func startPythonServer(backlog int) (stop func(), addr string, err error) {
	path, err := python.Find()
	if err != nil {
		return nil, "", fmt.Errorf("the comparison needs a working python3: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	command := exec.Command(path, "-c", pythonServer,
		strconv.Itoa(port), strconv.Itoa(backlog))
	if err := command.Start(); err != nil {
		return nil, "", fmt.Errorf("starting python3: %w", err)
	}
	stop = func() {
		// Killing is fine: the server holds nothing to save.
		_ = command.Process.Kill()
		_ = command.Wait()
	}

	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitUntilServing(addr); err != nil {
		stop()
		return nil, "", fmt.Errorf("the Python server: %w", err)
	}
	return stop, addr, nil
}

// waitUntilServing waits until a server just started accepts
// connections on addr: a process takes a moment to start.
func waitUntilServing(addr string) error {
	for start := time.Now(); time.Since(start) < 10*time.Second; {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			return conn.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("not listening after 10 seconds")
}

// freePort asks the system for a port nobody uses, and releases it.
func freePort() (int, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer listener.Close()
	return listener.Addr().(*net.TCPAddr).Port, nil
}
