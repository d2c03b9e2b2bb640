// Package probe checks a running prime server against the workbook's
// protocol, case by case, as h2spec checks an HTTP/2 server: it
// connects over TCP, sends each case's request, and compares what
// comes back with what the protocol asks for. The server may be
// written in any language.
//
//	go run ./exercises probe HOST:PORT
//	go run ./exercises probe -json -timeout 5s HOST:PORT
//
// The expected replies come from the workbook's own prime.Judge, so
// the probe and the workbook's servers cannot disagree on a verdict;
// the probe's tests check that chapters 03 and 04 pass every case.
package probe

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
	"unicode/utf8"
)

const usage = `usage: go run ./exercises probe [-json] [-timeout 2s] HOST:PORT

Checks the prime server at HOST:PORT against the protocol, one case
per line, and exits with 0 only if every case passes.

  -json       print the results as JSON
  -timeout d  time each case may take (default 2s)
`

// defaultTimeout is each case's time limit, unless -timeout says
// otherwise.
const defaultTimeout = 2 * time.Second

// Main is the probe command: main with its arguments and outputs
// passed in. It returns the exit code: 0 when every case passes, 1
// when one fails or the server cannot be reached, 2 for a command
// line it cannot read.
func Main(ctx context.Context, args []string,
	stdout, stderr io.Writer) int {
	addr, timeout, asJSON, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "probe: %v\n\n%s", err, usage)
		return 2
	}

	p := &prober{addr: addr, timeout: timeout}
	report := Report{Server: addr, Timeout: timeout.String()}
	text := textWriter{out: stdout}

	// First, what kind of server it is; this also shows whether
	// there is a server at all.
	kind, detected, err := p.detect(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "probe: %v\n", err)
		return 1
	}
	if !asJSON {
		fmt.Fprintf(stdout, "probing %s, at most %v per case\n",
			addr, timeout)
	}
	report.Kind = kind
	cases := Cases(kind)
	for _, c := range cases {
		text.nameWidth = max(text.nameWidth,
			utf8.RuneCountInString(c.Name))
	}

	// Then every case, each result shown as soon as it is known.
	record := func(r Result) {
		// After Ctrl-C, cases fail for the probe's sake, not
		// the server's: they are not shown.
		if ctx.Err() != nil {
			return
		}
		report.Cases = append(report.Cases, r)
		if r.Passed {
			report.Passed++
		}
		if !asJSON {
			text.line(r)
		}
	}
	record(detected)
	p.runAll(ctx, cases, record)
	report.Total = len(report.Cases)

	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "probe: interrupted")
		return 1
	}
	if asJSON {
		if err := writeJSON(stdout, report); err != nil {
			fmt.Fprintf(stderr, "probe: %v\n", err)
			return 1
		}
	} else {
		fmt.Fprintln(stdout, summary(report))
	}
	if report.Passed < report.Total {
		return 1
	}
	return 0
}

// parseArgs reads the command line. Flags may come before or after
// the address: "probe -json HOST:PORT" and "probe HOST:PORT -json".
func parseArgs(args []string) (addr string, timeout time.Duration,
	asJSON bool, err error) {
	flags := flag.NewFlagSet("probe", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.BoolVar(&asJSON, "json", false, "print the results as JSON")
	flags.DurationVar(&timeout, "timeout", defaultTimeout,
		"time each case may take")

	var addrs []string
	for {
		if err := flags.Parse(args); err != nil {
			return "", 0, false, err
		}
		if flags.NArg() == 0 {
			break
		}
		addrs = append(addrs, flags.Arg(0))
		args = flags.Args()[1:]
	}

	switch {
	case len(addrs) == 0:
		return "", 0, false, errors.New("which server? " +
			"give its address, like 127.0.0.1:8809")
	case len(addrs) > 1:
		return "", 0, false, fmt.Errorf("one server at a time, "+
			"got %d addresses", len(addrs))
	case timeout <= 0:
		return "", 0, false, fmt.Errorf("-timeout must be above "+
			"zero, got %v", timeout)
	}
	host, port, err := net.SplitHostPort(addrs[0])
	if err != nil {
		return "", 0, false, fmt.Errorf("%q is not HOST:PORT",
			addrs[0])
	}
	number, err := strconv.Atoi(port)
	if err != nil || number < 1 || number > 65535 {
		return "", 0, false, fmt.Errorf("%q: the port must be a "+
			"number from 1 to 65535", addrs[0])
	}
	if host == "" {
		return "", 0, false, fmt.Errorf("%q has no host, "+
			"like 127.0.0.1", addrs[0])
	}
	return addrs[0], timeout, asJSON, nil
}

// runAll runs the cases phase by phase and passes each result to
// record, in the order of the list. Quick and heavy cases run up to
// maxConns at a time; holding cases one at a time.
func (p *prober) runAll(ctx context.Context, cases []Case,
	record func(Result)) {
	start := 0
	for start < len(cases) {
		// The cases of one phase are next to each other.
		end := start
		for end < len(cases) && cases[end].phase == cases[start].phase {
			end++
		}
		workers := maxConns
		if cases[start].phase == holding {
			workers = 1
		}
		p.runPhase(ctx, cases[start:end], workers, record)
		start = end
	}
}

// runPhase runs cases, up to workers at a time, and records their
// results in order: a result waits for those before it.
func (p *prober) runPhase(ctx context.Context, cases []Case, workers int,
	record func(Result)) {
	results := make([]chan Result, len(cases))
	for i := range results {
		results[i] = make(chan Result, 1)
	}
	// Start the cases in order, never more than workers at once.
	go func() {
		slots := make(chan struct{}, workers)
		for i, c := range cases {
			slots <- struct{}{}
			go func() {
				defer func() { <-slots }()
				results[i] <- p.run(ctx, c)
			}()
		}
	}()
	for _, result := range results {
		record(<-result)
	}
}
