package main

import (
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"time"
)

// pythonServer is the source text's server, made persistent, for the
// bench's comparison.
//
//go:embed python_server.py
var pythonServer string

// startPythonServer runs python_server.py with python3 on a free
// port and returns how to stop it.
func startPythonServer() (stop func(), addr string, err error) {
	python, err := exec.LookPath("python3")
	if err != nil {
		return nil, "", errors.New("the comparison needs python3, which is not installed")
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	command := exec.Command(python, "-c", pythonServer,
		strconv.Itoa(port))
	if err := command.Start(); err != nil {
		return nil, "", fmt.Errorf("starting python3: %w", err)
	}
	stop = func() {
		// Killing is fine: the server holds nothing to save.
		_ = command.Process.Kill()
		_ = command.Wait()
	}

	// Python takes a moment to start: wait until it answers.
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for start := time.Now(); time.Since(start) < 10*time.Second; {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return stop, addr, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return nil, "", errors.New("the Python server did not start within 10 seconds")
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
