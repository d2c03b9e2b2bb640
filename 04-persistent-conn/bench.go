package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"workbook/03-server-framework/command"
	"workbook/prime"
)

// A workload is a list of requests and the reply each must get.
type workload struct {
	requests [][]byte
	want     [][]byte
}

// newWorkload asks about the numbers 1 to n.
func newWorkload(n int) workload {
	var w workload
	for i := 1; i <= n; i++ {
		request := []byte(strconv.Itoa(i) + "\n")
		w.requests = append(w.requests, request)
		w.want = append(w.want, prime.Judge(request).Reply())
	}
	return w
}

// slice returns the requests from..to, with their replies.
func (w workload) slice(from, to int) workload {
	return workload{w.requests[from:to], w.want[from:to]}
}

// check fails on any reply that is not the one expected: a benchmark
// that counts wrong answers as served would measure nothing.
func (w workload) check(i int, reply []byte) error {
	if !bytes.Equal(reply, w.want[i]) {
		return fmt.Errorf("reply %q to %q, want %q", reply, w.requests[i], w.want[i])
	}
	return nil
}

// dial connects with a deadline for the whole exchange.
func dial(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// The five ways of asking that the bench compares.

// benchReconnect opens a new connection for every request, as the
// source text's second client does.
func benchReconnect(addr string, w workload) error {
	for i := range w.requests {
		conn, err := dial(addr)
		if err != nil {
			return err
		}
		part := w.slice(i, i+1)
		err = askLockstep(conn, part.requests, part.check)
		conn.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// benchLockstep sends everything on one connection, waiting for
// each reply before the next request.
func benchLockstep(addr string, w workload) error {
	conn, err := dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	return askLockstep(conn, w.requests, w.check)
}

// benchPipelined sends everything on one connection without waiting.
func benchPipelined(addr string, w workload) error {
	conn, err := dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	return askPipelined(conn, w.requests, w.check)
}

// benchPairs sends the requests two at a time on one connection:
// two requests in one write, then their two replies, and again. It
// is the pattern where Nagle's algorithm meets delayed ACKs (see the
// README): a server that writes each reply on its own, with Nagle on,
// stalls on the second reply of every pair.
func benchPairs(addr string, w workload) error {
	conn, err := dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	for from := 0; from < len(w.requests); from += 2 {
		pair := w.slice(from, min(from+2, len(w.requests)))
		if err := askPipelined(conn, pair.requests, pair.check); err != nil {
			return err
		}
	}
	return nil
}

// benchConcurrent shares the requests among clients, each on its
// own connection in lock-step, all at the same time.
func benchConcurrent(addr string, w workload, clients int) error {
	errs := make(chan error, clients)
	var wait sync.WaitGroup
	share := (len(w.requests) + clients - 1) / clients
	for from := 0; from < len(w.requests); from += share {
		part := w.slice(from, min(from+share, len(w.requests)))
		wait.Add(1)
		go func() {
			defer wait.Done()
			errs <- benchLockstep(addr, part)
		}()
	}
	wait.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// streamRound is what a streaming client sends over and over: the
// numbers 1 to 10,000, and the replies they must get.
var streamRound = func() (round struct{ requests, replies []byte }) {
	w := newWorkload(10000)
	round.requests = bytes.Join(w.requests, nil)
	round.replies = bytes.Join(w.want, nil)
	return round
}()

// benchStream sends requests on each of conns connections, the numbers
// 1 to 10,000 over and over without waiting, while it reads the
// replies and checks them 10,000 at a time: the client does little,
// so that the server is what is measured.
func benchStream(addr string, conns, requests int) error {
	rounds := max(1, requests/conns/10000)
	errs := make(chan error, conns)
	for range conns {
		go func() {
			conn, err := dial(addr)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			go func() {
				for range rounds {
					if _, err := conn.Write(streamRound.requests); err != nil {
						return
					}
				}
			}()
			got := make([]byte, len(streamRound.replies))
			for range rounds {
				if _, err := io.ReadFull(conn, got); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(got, streamRound.replies) {
					errs <- errors.New("a wrong reply")
					return
				}
			}
			errs <- nil
		}()
	}
	var all []error
	for range conns {
		all = append(all, <-errs)
	}
	return errors.Join(all...)
}

// streamModes are what `bench -minimal` measures: replies as fast as
// the server can give them, on one connection and on four.
func streamModes(n int) []benchMode {
	requests := 50 * n
	return []benchMode{
		{"one connection, streaming", requests, func(addr string, _ workload) error {
			return benchStream(addr, 1, requests)
		}},
		{"4 connections, streaming", 4 * requests, func(addr string, _ workload) error {
			return benchStream(addr, 4, 4*requests)
		}},
	}
}

// A benchMode is one way of asking, and how many requests to time it
// with: enough for a run to last a fraction of a second against this
// chapter's server (a server that stalls in pairs takes longer).
type benchMode struct {
	name     string
	requests int
	ask      func(addr string, w workload) error
}

func benchModes(n, clients int) []benchMode {
	return []benchMode{
		{"new connection per request", max(n/4, 1), benchReconnect},
		{"one connection, lock-step", n, benchLockstep},
		{"one connection, pipelined", 10 * n, benchPipelined},
		{fmt.Sprintf("%d connections, lock-step", clients), n,
			func(addr string, w workload) error {
				return benchConcurrent(addr, w, clients)
			}},
		// Few requests: against a server that stalls, each pair
		// can take 40 ms or more.
		{"one connection, in pairs", max(n/200, 2), benchPairs},
	}
}

// A result is a mode's median rate over the runs, and each run's
// rate.
type result struct {
	mode      benchMode
	perSecond float64
	runs      []float64
}

// measure runs each mode runs times against each of addrs, taking
// the servers in turn within each run, so that a machine busier for
// a moment slows them alike. It keeps each server's median rate.
func measure(addrs []string, modes []benchMode, runs int) ([][]result, error) {
	results := make([][]result, len(addrs))
	for _, mode := range modes {
		var w workload
		if !strings.HasSuffix(mode.name, "streaming") {
			w = newWorkload(mode.requests)
		}
		rates := make([][]float64, len(addrs))
		for range runs {
			for i, addr := range addrs {
				start := time.Now()
				if err := mode.ask(addr, w); err != nil {
					return nil, fmt.Errorf("%s: %w", mode.name, err)
				}
				elapsed := time.Since(start).Seconds()
				rates[i] = append(rates[i], float64(mode.requests)/elapsed)
			}
		}
		for i := range addrs {
			sorted := slices.Sorted(slices.Values(rates[i]))
			results[i] = append(results[i], result{mode, sorted[len(sorted)/2], rates[i]})
		}
	}
	return results, nil
}

// runBench is the "bench" command.
func runBench(_ context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	addr := flags.String("addr", "", "server to measure (default: start this chapter's, in a process of its own)")
	n := flags.Int("n", 20000, "requests for the lock-step modes; a quarter of it for reconnecting, ten times for pipelining, 1/200 in pairs")
	clients := flags.Int("c", 8, "clients for the concurrent mode")
	runs := flags.Int("runs", 5, "runs of each mode; the median counts")
	python := flags.Bool("python", false, "also measure the source text's handler on a threaded socketserver, in Python (python3)")
	backlog := flags.Int("python-backlog", 4096, "connections the Python server lets wait to be accepted (socketserver's default is 5)")
	minimal := flags.Bool("minimal", false, "measure streaming replies against the minimal server (the minimal command), each in a process of its own")
	if code, ok := command.ParseFlags(flags, args, stdout, stderr); !ok {
		return code
	}
	if flags.NArg() > 0 || *n < 1 || *clients < 1 || *runs < 1 || *backlog < 1 {
		fmt.Fprintln(stderr, "bench: -n, -c, -runs and -python-backlog must be at least 1, and no other arguments")
		return 2
	}

	// The servers to measure: the one at -addr, or one of ours,
	// and the Python one if asked for.
	type target struct{ name, addr string }
	var targets []target
	if *addr != "" {
		targets = append(targets, target{"the server given by -addr", *addr})
	} else {
		stop, started, err := startGoServer(stderr, "server", "-quiet", "-log", "off")
		if err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 1
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintf(stderr, "bench: server: %v\n", err)
			}
		}()
		targets = append(targets, target{"this chapter's server, in Go, a process of its own", started})
	}
	if *minimal {
		stop, started, err := startGoServer(stderr, "minimal")
		if err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 1
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintf(stderr, "bench: minimal server: %v\n", err)
			}
		}()
		targets = append(targets,
			target{"the minimal server, in Go, a process of its own", started})
	}
	if *python {
		stop, started, err := startPythonServer(*backlog)
		if err != nil {
			fmt.Fprintf(stderr, "bench: %v\n", err)
			return 1
		}
		defer stop()
		targets = append(targets,
			target{"the source text's handler on a threaded socketserver, in Python, a process of its own", started})
	}

	fmt.Fprintf(stdout, "bench: median of %d runs, every reply checked\n", *runs)
	modes := benchModes(*n, *clients)
	if *minimal {
		modes = streamModes(*n)
	}
	var addrs []string
	for _, t := range targets {
		addrs = append(addrs, t.addr)
	}
	all, err := measure(addrs, modes, *runs)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	}
	for i, t := range targets {
		fmt.Fprintf(stdout, "\n%s (%s)\n\n", t.name, t.addr)
		printTable(stdout, all[i])
		fmt.Fprintln(stdout)
		printBars(stdout, all[i])
	}
	if len(all) == 2 {
		first, second := ratioNames(*minimal)
		fmt.Fprintf(stdout, "\n%s requests/s over %s: the median, and the lowest and highest of the %d runs\n", first, second, *runs)
		for i, r := range all[0] {
			var ratios []float64
			for run, rate := range r.runs {
				ratios = append(ratios, rate/all[1][i].runs[run])
			}
			slices.Sort(ratios)
			fmt.Fprintf(stdout, "%-28s ×%s (%s to %s)\n", r.mode.name,
				times(ratios[len(ratios)/2]), times(ratios[0]), times(ratios[len(ratios)-1]))
		}
	}
	return 0
}

// ratioNames names the two servers whose rates the bench compares.
func ratioNames(minimal bool) (string, string) {
	if minimal {
		return "this chapter's server's", "the minimal server's"
	}
	return "Go's", "Python's"
}

// serverProcessEnv, set in a process's environment, tells a test
// binary to serve instead of testing (see TestMain): the tests run the
// bench too, and there the program's own executable is the test
// binary.
const serverProcessEnv = "WORKBOOK_BENCH_SERVER"

// startGoServer runs a server of this program's as a process of its
// own on a free port: args is its command and flags, such as server
// -quiet -log off. The Python server runs in its own process too, so
// that all are measured alike: the client and each server pay for two
// processes waking each other up. The server is this program itself,
// started again: under go run, the binary go run has built.
func startGoServer(stderr io.Writer, args ...string) (stop func() error, addr string, err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("cannot find this program to start its server: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args = append([]string{args[0], "-addr", addr}, args[1:]...)
	command := exec.Command(self, args...)
	command.Env = append(os.Environ(), serverProcessEnv+"=1")
	// Its errors are worth seeing; its screen says only that it
	// started and stopped.
	command.Stderr = stderr
	if err := command.Start(); err != nil {
		return nil, "", fmt.Errorf("starting the Go server: %w", err)
	}
	stop = func() error {
		// Ctrl-C's signal: the server shuts down gracefully and
		// exits 0. Systems without it (Windows) kill it.
		if err := command.Process.Signal(os.Interrupt); err != nil {
			// Killed, it cannot exit 0: nothing to report.
			_ = command.Process.Kill()
			_ = command.Wait()
			return nil
		}
		return command.Wait()
	}
	if err := waitUntilServing(addr); err != nil {
		_ = command.Process.Kill()
		_ = command.Wait()
		return nil, "", fmt.Errorf("the Go server: %w", err)
	}
	return stop, addr, nil
}

// printTable shows each mode's rate, the time it gives each request
// on average, and how many times faster it is than a new connection
// per request.
func printTable(out io.Writer, results []result) {
	fmt.Fprintf(out, "%-28s %9s %12s %10s %9s\n", "mode",
		"requests", "requests/s", "1s/rate", "speed-up")
	for _, r := range results {
		perRequest := time.Duration(float64(time.Second) / r.perSecond)
		fmt.Fprintf(out, "%-28s %9d %12s %10v %8s×\n",
			r.mode.name, r.mode.requests, thousands(r.perSecond),
			threeDigits(perRequest), times(r.perSecond/results[0].perSecond))
	}
	// Several requests in flight at once each wait longer than
	// their share of the second.
	fmt.Fprintln(out, "1s/rate: one second shared among the requests; with several in flight at once, each waits longer")
}

// times writes a ratio with one decimal, or two significant digits
// below one: 7.6, 315.4, 0.019.
func times(x float64) string {
	if x < 1 {
		return strconv.FormatFloat(x, 'g', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// threeDigits rounds a duration to about three significant digits:
// 17.2µs, 300ns, 21.6ms.
func threeDigits(d time.Duration) time.Duration {
	precision := time.Duration(1)
	for limit := time.Duration(1000); d >= limit; limit *= 10 {
		precision *= 10
	}
	return d.Round(precision)
}

// printBars draws requests/s as bars, large enough for a projector.
func printBars(out io.Writer, results []result) {
	const width = 40
	var most float64
	for _, r := range results {
		most = max(most, r.perSecond)
	}
	fmt.Fprintln(out, "requests/s")
	for _, r := range results {
		length := max(1, int(r.perSecond/most*width+0.5))
		fmt.Fprintf(out, "%-28s %s %s\n", r.mode.name,
			strings.Repeat("█", length), thousands(r.perSecond))
	}
}

// thousands writes 123456.7 as "123,457".
func thousands(x float64) string {
	digits := strconv.FormatInt(int64(x+0.5), 10)
	var out strings.Builder
	for i, digit := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(digit)
	}
	return out.String()
}
