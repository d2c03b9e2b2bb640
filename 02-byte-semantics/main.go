// Chapter 02: the pitfalls of "only bytes cross the wire", each a
// small program that goes wrong for real, next to the way that works.
//
//	go run ./02-byte-semantics          every demonstration, in order
//	go run ./02-byte-semantics list     their names
//	go run ./02-byte-semantics NAME     one of them
//	go run ./02-byte-semantics -h       the usage and the list
//	go run ./02-byte-semantics tap -listen HOST:PORT -to HOST:PORT
//	                                    a wire tap (see tap/)
//
// Where to read: this file lists the demonstrations; text.go holds
// those about text and bytes, stream.go those about the stream,
// reading and writing, sourcebugs.go the source text's bugs,
// framing.go the cures, demo.go the loopback connection they share.
// The wire tap is a package of its own, in the tap folder: main only
// hands it the command line.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"workbook/02-byte-semantics/tap"
)

// A demo is one demonstration: a name to run it by, a one-line
// summary, and the code that shows it.
type demo struct {
	name    string
	summary string
	run     func(out io.Writer) error
}

// demos are in reading order: text and bytes first, then the stream,
// then the source text's own bugs, then the cures and their limits.
var demos = []demo{
	{"bytes-and-runes", "a string is bytes; a character may be several",
		bytesAndRunes},
	{"print-verbs", "%s obeys the bytes, %q and %x show them",
		printVerbs},
	{"cp1252", "the same text as UTF-8 and as Windows-1252 bytes",
		cp1252},
	{"rune-vs-itoa", "string(rune(17)) is a character, not \"17\"",
		runeVersusItoa},
	{"whole-buffer", "after Read, use buffer[:n], not buffer",
		wholeBuffer},
	{"two-writes-one-read", "two requests can arrive in one Read",
		twoWritesOneRead},
	{"one-write-many-reads", "one message can arrive in many Reads",
		oneWriteManyReads},
	{"write-all", "Write writes every byte or returns an error",
		writeAll},
	{"write-after-close", "writing to a peer that has gone: the first write succeeds",
		writeAfterClose},
	{"telnet-crlf", "telnet ends lines with \"\\r\\n\"",
		telnetCRLF},
	{"missing-newline", "a reply without \"\\n\", and the deadline that saves the client",
		missingNewline},
	{"close-in-loop", "the source text closes the connection inside its loop",
		closeInLoop},
	{"accept-once", "the source text's client reconnects to a server that accepts once",
		acceptOnce},
	{"python-isprime", "the source text's isprime, line by line",
		pythonIsPrime},
	{"framing", "the cure: read lines with bufio, under a size limit",
		framing},
	{"length-prefix", "the other cure: a length before each message, read with io.ReadFull",
		lengthPrefix},
	{"scanner-limit", "bufio.Scanner stops at lines over 64 KiB: ErrTooLong",
		scannerLimit},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs passed in, for the tests.
// It returns the exit code: 0 for success, 1 when a demonstration
// fails, 2 for a command line it cannot read.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runAll(stdout, stderr)
	}
	// The tap has flags of its own, -h included.
	if args[0] == "tap" {
		return runTapCommand(args[1:], stdout, stderr)
	}
	// -h, alone or after a name, shows the usage.
	if isHelp(args[0]) || (len(args) == 2 && isHelp(args[1])) {
		fmt.Fprint(stdout, usage)
		list(stdout)
		return 0
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "one name at a time, please\n\n")
		list(stderr)
		return 2
	}
	if args[0] == "list" {
		list(stdout)
		return 0
	}
	for _, d := range demos {
		if d.name == args[0] {
			return runOne(d, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "no demonstration called %q; there are:\n\n", args[0])
	list(stderr)
	return 2
}

// runTapCommand runs the tap until Ctrl-C or SIGTERM stops it.
func runTapCommand(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	return tap.Run(ctx, args, stdout, stderr)
}

const usage = `usage:
  go run ./02-byte-semantics          every demonstration, in order
  go run ./02-byte-semantics list     their names
  go run ./02-byte-semantics NAME     one of them

`

// isHelp tells whether an argument asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func list(out io.Writer) {
	for _, d := range demos {
		fmt.Fprintf(out, "%-22s %s\n", d.name, d.summary)
	}
}

func runAll(stdout, stderr io.Writer) int {
	for i, d := range demos {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "== %s: %s\n", d.name, d.summary)
		if code := runOne(d, stdout, stderr); code != 0 {
			return code
		}
	}
	return 0
}

func runOne(d demo, stdout, stderr io.Writer) int {
	if err := d.run(stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", d.name, err)
		return 1
	}
	return 0
}
