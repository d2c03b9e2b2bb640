package runner

import (
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// afterTheEnd is how long the runner waits, once go test has exited
// and its processes are killed, for the last of its output.
const afterTheEnd = 5 * time.Second

// runTree runs command, its output going to stdout and stderr, and
// ends every process it started once it has exited, whatever the
// reason: the tests' time limit, the learner's Ctrl-C, or a normal
// end. A process the learner's code started (a server, a child left
// sleeping) does not outlive the check.
func runTree(command *exec.Cmd, stdout, stderr io.Writer) error {
	// Pipes of our own, rather than exec's: exec's Wait would wait
	// for every process holding them, a forgotten child included.
	outRead, outWrite, err := os.Pipe()
	if err != nil {
		return err
	}
	errRead, errWrite, err := os.Pipe()
	if err != nil {
		outRead.Close()
		outWrite.Close()
		return err
	}
	command.Stdout, command.Stderr = outWrite, errWrite
	processes := newTree(command)
	command.WaitDelay = afterTheEnd
	err = command.Start()
	outWrite.Close()
	errWrite.Close()
	if err != nil {
		outRead.Close()
		errRead.Close()
		return err
	}
	processes.started()
	defer processes.release()

	var reading sync.WaitGroup
	reading.Go(func() { _, _ = io.Copy(stdout, outRead) })
	reading.Go(func() { _, _ = io.Copy(stderr, errRead) })
	err = command.Wait()

	// What the tests started and left running ends here.
	_ = processes.kill()

	// The output ends when the last process holding the pipes has
	// gone. One that escaped the kill cannot keep the runner
	// waiting.
	read := make(chan struct{})
	go func() {
		reading.Wait()
		close(read)
	}()
	select {
	case <-read:
	case <-time.After(afterTheEnd):
		outRead.Close()
		errRead.Close()
		<-read
	}
	outRead.Close()
	errRead.Close()
	return err
}
