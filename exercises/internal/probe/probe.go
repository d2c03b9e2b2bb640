// Package probe checks a running prime server against the workbook's
// protocol, case by case, as h2spec checks an HTTP/2 server: it
// connects over TCP, sends each case's request, and compares what
// comes back with what the protocol asks for. The server may be
// written in any language. With -roster it grades a whole class.
//
//	go run ./exercises probe HOST:PORT
//	go run ./exercises probe -json -timeout 5s HOST:PORT
//	go run ./exercises probe -roster roster.txt -html class.html
//
// The expected replies come from the workbook's own prime.Judge, so
// the probe and the workbook's servers cannot disagree on a verdict;
// the probe's tests check that chapters 03 and 04 pass every case.
//
// Where to read: cases.go lists the cases; run.go asks them;
// causes.go names what went wrong in the student's terms; report.go
// prints one server's results, roster.go a class's.
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
       go run ./exercises probe -roster FILE [-csv | -json] [-html PAGE]
                                [-parallel 8] [-timeout 2s]

Checks the prime server at HOST:PORT against the protocol, one case
per line, and exits with 0 only if every case passes.

With -roster, grades a class: FILE has one student a line, a name
(spaces allowed) then the server's address, like "Ana Lima
192.168.1.23:8809"; a line starting with # is a comment. The probe
prints one row per student, in the roster's order, and exits with 0
only if every server passes.

  -json        print the results as JSON
  -timeout d   time each case's replies may take (default 2s)
  -roster FILE grade every server that FILE names
  -csv         with -roster: print the rows as CSV, for a gradebook
  -html PAGE   with -roster: also write PAGE, one page with the class's
               table and each student's failures, to show
  -parallel n  with -roster: how many servers to probe at once
               (default 8)
`

// defaultTimeout is the time each case's replies may take, unless
// -timeout says otherwise; connecting may take longer (connectLimit).
const defaultTimeout = 2 * time.Second

// defaultParallel is how many servers -roster probes at once.
const defaultParallel = 8

// options is what the command line asked for.
type options struct {
	addr     string
	timeout  time.Duration
	asJSON   bool
	roster   string
	asCSV    bool
	page     string
	parallel int
}

// Main is the probe command: main with its arguments and outputs
// passed in. It returns the exit code: 0 when every case passes, 1
// when one fails or the server cannot be reached, 2 for a command
// line it cannot read.
func Main(ctx context.Context, args []string,
	stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "probe: %v\n\n%s", err, usage)
		return 2
	}
	if opts.roster != "" {
		return gradeClass(ctx, opts, stdout, stderr)
	}
	return probeOne(ctx, opts, stdout, stderr)
}

// probeOne probes one server, and prints each result as soon as it
// is known, or, with -json, the whole report at the end.
func probeOne(ctx context.Context, opts options,
	stdout, stderr io.Writer) int {
	p := &prober{addr: opts.addr, timeout: opts.timeout}
	text := &textWriter{out: io.Discard}
	if !opts.asJSON {
		text.out = stdout
	}
	started := func(cases []Case) {
		fmt.Fprintf(text.out, "probing %s, at most %v per case\n",
			opts.addr, opts.timeout)
		for _, c := range cases {
			text.nameWidth = max(text.nameWidth,
				utf8.RuneCountInString(c.Name))
		}
	}
	report, err := probeServer(ctx, p, started, text.line, text.warn)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "probe: interrupted")
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "probe: %v\n", err)
		return 1
	}
	if opts.asJSON {
		if err := writeJSON(stdout, report); err != nil {
			fmt.Fprintf(stderr, "probe: %v\n", err)
			return 1
		}
	} else {
		text.end(report)
	}
	if !report.conforms() {
		return 1
	}
	return 0
}

// probeServer runs every case against one server. It tells started
// the cases once it knows the server's kind, then record each result
// as soon as it is known, in order; warn hears at once of a server
// too busy to be graded fairly (the report's Warnings hold that and
// the others). The error is for a server that cannot be reached at
// all, or for ctx's end.
func probeServer(ctx context.Context, p *prober, started func([]Case),
	record func(Result), warn func(string)) (Report, error) {
	report := Report{Server: p.addr, Timeout: p.timeout.String()}

	// First, what kind of server it is; this also shows whether
	// there is a server at all, and whether it is busy.
	kind, detected, took, err := p.detect(ctx)
	if err != nil {
		return report, err
	}
	report.Kind = kind
	cases := Cases(kind)
	started(cases)

	// Then every case, each result shown as soon as it is known.
	// After Ctrl-C, cases fail for the probe's sake, not the
	// server's: they are left out.
	add := func(r Result) {
		if ctx.Err() != nil {
			return
		}
		report.Cases = append(report.Cases, r)
		record(r)
	}
	add(detected)
	// A server slow to answer 17 is busy with something else:
	// said at once, so that the teacher may stop and restart it.
	slow := p.timeout / 4
	var busy string
	switch {
	case detected.Got == `""` && detected.cause == noReply:
		busy = fmt.Sprintf("no reply to %s within %v: is the "+
			"server still busy with an earlier run's big numbers? "+
			"Restart it and probe again", quote("17\n"), p.timeout)
	case took > slow:
		busy = fmt.Sprintf("the server took %v to answer %s: "+
			"still busy with an earlier run's big numbers? Restart "+
			"it and probe again; until then, slow replies may be "+
			"that work, not the code", took.Round(time.Millisecond),
			quote("17\n"))
	}
	if busy != "" {
		report.Warnings = append(report.Warnings, busy)
		warn(busy)
	}
	p.runAll(ctx, cases, add)
	if ctx.Err() != nil {
		return report, ctx.Err()
	}

	report.finish()

	// After the big numbers, a server still busy with them would
	// be busy for the next run too.
	last := report.Cases[len(report.Cases)-1]
	var after string
	switch {
	case last.Name != askAgainName:
	case last.cause == stoppedAnswering || last.cause == noReply ||
		last.cause == cannotConnect:
		after = fmt.Sprintf("no reply to %s after the big "+
			"numbers: restart the server before probing it again",
			quote(askAgain))
	case last.Passed && last.took > slow:
		after = fmt.Sprintf("the server took %v to answer %s "+
			"after the big numbers: it is still working on them; "+
			"restart it before probing it again",
			last.took.Round(time.Millisecond), quote(askAgain))
	}
	if after != "" {
		report.Warnings = append(report.Warnings, after)
	}
	return report, nil
}

// parseArgs reads the command line. Flags may come before or after
// the address: "probe -json HOST:PORT" and "probe HOST:PORT -json".
func parseArgs(args []string) (options, error) {
	opts := options{}
	flags := flag.NewFlagSet("probe", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.BoolVar(&opts.asJSON, "json", false,
		"print the results as JSON")
	flags.DurationVar(&opts.timeout, "timeout", defaultTimeout,
		"time each case's replies may take")
	flags.StringVar(&opts.roster, "roster", "",
		"grade every server that FILE names")
	flags.BoolVar(&opts.asCSV, "csv", false,
		"with -roster: print the rows as CSV")
	flags.StringVar(&opts.page, "html", "",
		"with -roster: also write a page")
	flags.IntVar(&opts.parallel, "parallel", defaultParallel,
		"with -roster: servers probed at once")

	var addrs []string
	for {
		if err := flags.Parse(args); err != nil {
			return opts, err
		}
		if flags.NArg() == 0 {
			break
		}
		addrs = append(addrs, flags.Arg(0))
		args = flags.Args()[1:]
	}
	set := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { set[f.Name] = true })

	switch {
	case opts.timeout <= 0:
		return opts, fmt.Errorf("-timeout must be above zero, "+
			"got %v", opts.timeout)
	case opts.roster != "" && len(addrs) > 0:
		return opts, errors.New("give either a server's address " +
			"or -roster FILE, not both")
	case opts.roster != "":
		if opts.asCSV && opts.asJSON {
			return opts, errors.New("-csv or -json, not both")
		}
		if opts.parallel < 1 {
			return opts, fmt.Errorf("-parallel must be 1 or more, "+
				"got %d", opts.parallel)
		}
		return opts, nil
	case set["csv"] || set["html"] || set["parallel"]:
		return opts, errors.New("-csv, -html and -parallel go " +
			"with -roster FILE")
	case len(addrs) == 0:
		return opts, errors.New("which server? " +
			"give its address, like 127.0.0.1:8809")
	case len(addrs) > 1:
		return opts, fmt.Errorf("one server at a time, got %d "+
			"addresses (-roster FILE grades a class)", len(addrs))
	}
	if err := checkAddr(addrs[0]); err != nil {
		return opts, err
	}
	opts.addr = addrs[0]
	return opts, nil
}

// checkAddr says what is wrong with a server's address, if anything.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not HOST:PORT", addr)
	}
	number, err := strconv.Atoi(port)
	if err != nil || number < 1 || number > 65535 {
		return fmt.Errorf("%q: the port must be a "+
			"number from 1 to 65535", addr)
	}
	if host == "" {
		return fmt.Errorf("%q has no host, like 127.0.0.1", addr)
	}
	return nil
}

// runAll runs the cases phase by phase and passes each result to
// record, in the order of the list. Quick and heavy cases run up to
// maxConns at a time; the others one at a time.
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
		if cases[start].phase == holding || cases[start].phase == last {
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
