package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"
)

// runAddresses is the "addresses" command: where a listener listens,
// for each way of writing its address, shown by dialing it over IPv4
// and over IPv6.
func runAddresses(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("addresses", flag.ContinueOnError)
	flags.SetOutput(stderr)
	if err := flags.Parse(args); err != nil {
		return parseFailed(err)
	}
	if err := showAddresses(stdout); err != nil {
		fmt.Fprintf(stderr, "addresses: %v\n", err)
		return 1
	}
	return 0
}

// showAddresses listens on each address in turn, on a free port, and
// dials the loopback address of both families: 127.0.0.1 (IPv4) and
// ::1 (IPv6).
func showAddresses(out io.Writer) error {
	// Each host with port 0: any free port.
	listens := []struct{ network, host string }{
		{"tcp", ""},
		{"tcp", "0.0.0.0"},
		{"tcp4", "0.0.0.0"},
		{"tcp", "127.0.0.1"},
		{"tcp", "::1"},
		{"tcp", "localhost"},
	}
	for _, l := range listens {
		listener, err := net.Listen(l.network, net.JoinHostPort(l.host, "0"))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "network %-7s host %-12s listens on %s\n", strconv.Quote(l.network)+",", strconv.Quote(l.host)+":", listener.Addr())
		port := strconv.Itoa(listener.Addr().(*net.TCPAddr).Port)
		for _, host := range []string{"127.0.0.1", "::1"} {
			fmt.Fprintf(out, "  Dial %-16s %s\n", net.JoinHostPort(host, port)+":", dialResult(net.JoinHostPort(host, port)))
		}
		listener.Close()
	}

	// A name may stand for several addresses: on many systems
	// localhost is ::1 and 127.0.0.1. Dial looks the name up and
	// tries each address in turn until one connects, as this loop
	// does by hand, against a server on 127.0.0.1 only.
	listener, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer listener.Close()
	port := strconv.Itoa(listener.Addr().(*net.TCPAddr).Port)
	fmt.Fprintf(out, "a server on %s; a client tries ::1, then 127.0.0.1, as Dial does with a name that has both:\n", listener.Addr())
	for _, host := range []string{"::1", "127.0.0.1"} {
		result := dialResult(net.JoinHostPort(host, port))
		fmt.Fprintf(out, "  Dial %-16s %s\n", net.JoinHostPort(host, port)+":", result)
		if result == "connected" {
			break
		}
	}
	return nil
}

// dialResult connects to addr, hangs up at once, and says how it went.
func dialResult(addr string) string {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "connection refused"
	}
	if err != nil {
		return reason(err).Error()
	}
	conn.Close()
	return "connected"
}
