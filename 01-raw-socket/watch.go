package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// runWatch is the "watch" command: one conversation, step by step,
// and after each step the state of its sockets as the system's `ss`
// reports them.
func runWatch(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("watch", flag.ContinueOnError)
	flags.SetOutput(stderr)
	if err := flags.Parse(args); err != nil {
		return parseFailed(err)
	}
	if err := watch(stdout); err != nil {
		fmt.Fprintf(stderr, "watch: %v\n", err)
		return 1
	}
	return 0
}

// watch plays server and client on a free port, and shows the
// sockets after each step.
func watch(out io.Writer) error {
	if _, err := exec.LookPath("ss"); err != nil {
		return fmt.Errorf("this command runs ss, from the iproute2 package on Linux: %w", err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer listener.Close()
	addr := listener.Addr().String()
	fmt.Fprintf(out, "ss -tan '( src %s or dst %s )', after each step:\n", addr, addr)

	// The port may have served before, and an old connection of
	// that port may still wait in TIME_WAIT: leave those out, they
	// are not this demo's.
	earlier, err := sockets(addr)
	if err != nil {
		return err
	}
	for _, s := range earlier {
		if s.state != "LISTEN" {
			oldSockets[s.local+" "+s.peer] = true
		}
	}

	if err := showSockets(out, "the server listens", addr); err != nil {
		return err
	}

	// The client connects and sends before the server accepts.
	client, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer client.Close()
	if _, err := client.Write([]byte("17\n")); err != nil {
		return err
	}
	if err := showSockets(out, "the client connects and sends \"17\\n\"; no Accept yet", addr); err != nil {
		return err
	}

	// The server accepts, reads and replies; the client has not
	// read the reply yet.
	server, err := listener.Accept()
	if err != nil {
		return err
	}
	defer server.Close()
	request := make([]byte, bufferSize)
	if _, err := server.Read(request); err != nil {
		return err
	}
	if _, err := server.Write([]byte("T\n")); err != nil {
		return err
	}
	if err := showSockets(out, "the server accepts, reads, replies \"T\\n\"", addr); err != nil {
		return err
	}

	// The client reads the reply; the server closes first.
	reply := make([]byte, bufferSize)
	if _, err := client.Read(reply); err != nil {
		return err
	}
	server.Close()
	// The client's system acknowledges the server's FIN soon, but
	// not always at once: wait until it has.
	if err := waitWhile(addr, "FIN-WAIT-1"); err != nil {
		return err
	}
	if err := showSockets(out, "the client reads the reply; the server closes", addr); err != nil {
		return err
	}

	// The client closes in turn.
	client.Close()
	if err := showSockets(out, "the client closes", addr); err != nil {
		return err
	}

	listener.Close()
	return showSockets(out, "the listener closes", addr)
}

// oldSockets are the sockets of the demo's port from before the
// demo, by "local peer" address: showSockets leaves them out.
var oldSockets = map[string]bool{}

// A socket is one line of ss's output.
type socket struct {
	state, recvQ, sendQ, local, peer string
}

// sockets runs ss and returns the TCP sockets whose local or peer
// address is addr.
func sockets(addr string) ([]socket, error) {
	filter := fmt.Sprintf("( src %s or dst %s )", addr, addr)
	output, err := exec.Command("ss", "-tanH", filter).Output()
	if err != nil {
		return nil, fmt.Errorf("running ss: %w", err)
	}
	var found []socket
	for _, line := range strings.Split(string(output), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			continue
		}
		found = append(found, socket{fields[0], fields[1], fields[2], fields[3], fields[4]})
	}
	return found, nil
}

// showSockets prints the sockets of addr, each named by its side:
// the listener, the server's end of the connection, the client's.
func showSockets(out io.Writer, step, addr string) error {
	found, err := sockets(addr)
	if err != nil {
		return err
	}
	var rows []string
	for _, s := range found {
		if oldSockets[s.local+" "+s.peer] {
			continue
		}
		side := "client"
		if s.local == addr {
			side = "server"
			if s.state == "LISTEN" {
				side = "listener"
			}
		}
		rows = append(rows, fmt.Sprintf("  %-9s %-11s %6s %6s", side, s.state, s.recvQ, s.sendQ))
	}
	// ss lists sockets in no fixed order: sort them, listener
	// first, then server, then client.
	sort.Slice(rows, func(i, j int) bool {
		return sideOrder(rows[i]) < sideOrder(rows[j])
	})
	fmt.Fprintf(out, "%s:\n", step)
	fmt.Fprintf(out, "  %-9s %-11s %6s %6s\n", "side", "State", "Recv-Q", "Send-Q")
	for _, row := range rows {
		fmt.Fprintln(out, row)
	}
	if len(rows) == 0 {
		fmt.Fprintln(out, "  (no socket)")
	}
	return nil
}

func sideOrder(row string) int {
	for i, side := range []string{"listener", "server", "client"} {
		if strings.HasPrefix(strings.TrimSpace(row), side) {
			return i
		}
	}
	return 3
}

// waitWhile waits, at most two seconds, until no socket of addr is
// in state.
func waitWhile(addr, state string) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		found, err := sockets(addr)
		if err != nil {
			return err
		}
		waiting := false
		for _, s := range found {
			if s.state == state {
				waiting = true
			}
		}
		if !waiting {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("a socket stayed in %s", state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
