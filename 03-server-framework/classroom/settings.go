package classroom

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"workbook/03-server-framework/tcpserver"
)

// Settings are the server's flags, each with one name from the field
// to the flag: MaxLineBytes is -max-line-bytes.
type Settings struct {
	Addr            string        // -addr: where to listen
	Log             string        // -log: the request log; off for none
	LogMax          int64         // -log-max: the log's size cap, bytes
	MaxLineBytes    int           // -max-line-bytes: longest request
	IdleTimeout     time.Duration // -idle-timeout: a line, a reply
	MaxConns        int           // -max-conns: served at once
	MaxConnsPerHost int           // -max-conns-per-host: one laptop's
	Quiet           bool          // -quiet: do not show each request
}

// Defaults are the settings no flag changes: the address and the log
// file are the source text's, the line limit and the idle timeout the
// framework's own.
func Defaults() Settings {
	return Settings{
		Addr:            "127.0.0.1:8809",
		Log:             "prime_server.log",
		LogMax:          100e6,
		MaxLineBytes:    tcpserver.DefaultMaxLineBytes,
		IdleTimeout:     tcpserver.DefaultIdleTimeout,
		MaxConns:        10000,
		MaxConnsPerHost: 32,
	}
}

// logOff is the -log value that turns the log off. An empty -log
// does too, but PowerShell 5 drops an empty argument, so the README
// says -log off.
const logOff = "off"

// maxLineLimit is the largest -max-line-bytes: a number has at most
// 100 digits, and each connection holds a buffer this size.
const maxLineLimit = 64 << 10

// flags declares the settings' flags on fs, their defaults from s.
func (s *Settings) flags(fs *flag.FlagSet) *byteSize {
	logMax := byteSize(s.LogMax)
	fs.StringVar(&s.Addr, "addr", s.Addr,
		"address to listen on (0.0.0.0:8809 for a classroom)")
	fs.StringVar(&s.Log, "log", s.Log,
		"file to append one line per answered request to (off for none)")
	fs.Var(&logMax, "log-max",
		"stop logging when the log file reaches this size (100MB, 512KiB, bytes)")
	fs.IntVar(&s.MaxLineBytes, "max-line-bytes", s.MaxLineBytes,
		"longest request line, '\\n' included, 16 to 65536; a line whose\n"+
			"newline is not within it gets E and a hang-up")
	fs.DurationVar(&s.IdleTimeout, "idle-timeout", s.IdleTimeout,
		"disconnect a client that takes longer than this to send a line,\n"+
			"or to take a reply")
	fs.IntVar(&s.MaxConns, "max-conns", s.MaxConns,
		"connections served at once, from all hosts; more wait in the\n"+
			"system's queue until one ends")
	fs.IntVar(&s.MaxConnsPerHost, "max-conns-per-host", s.MaxConnsPerHost,
		"connections one host may have at once; more are closed at once")
	fs.BoolVar(&s.Quiet, "quiet", s.Quiet, "do not show each request (for benchmarks)")
	return &logMax
}

// problem names the first setting the server cannot run with, or
// returns "". args are the arguments left after the flags.
func (s *Settings) problem(args []string) string {
	switch {
	case len(args) > 0:
		return fmt.Sprintf("unexpected argument %q", args[0])
	// An empty address would listen on every interface, without
	// anyone having asked for it.
	case s.Addr == "":
		return "-addr is empty: give host:port, 127.0.0.1:8809 for this " +
			"machine only or 0.0.0.0:8809 for a classroom"
	case s.MaxLineBytes < 16 || s.MaxLineBytes > maxLineLimit:
		return fmt.Sprintf("-max-line-bytes must be between 16 and %d, not %d",
			maxLineLimit, s.MaxLineBytes)
	case s.IdleTimeout <= 0:
		return fmt.Sprintf("-idle-timeout must be above zero, not %v", s.IdleTimeout)
	case s.MaxConns < 1:
		return fmt.Sprintf("-max-conns must be at least 1, not %d", s.MaxConns)
	case s.MaxConnsPerHost < 1:
		return fmt.Sprintf("-max-conns-per-host must be at least 1, not %d", s.MaxConnsPerHost)
	case s.logging() && s.LogMax < 1000:
		return fmt.Sprintf("-log-max must be at least 1kB, not %s", thousands(s.LogMax))
	}
	return ""
}

// logging reports whether the settings ask for a log file.
func (s *Settings) logging() bool {
	return s.Log != "" && s.Log != logOff
}

// byteSize is a flag's size in bytes, written 100MB, 64KiB or 5000.
type byteSize int64

var sizeUnits = []struct {
	suffix string
	bytes  int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1},
}

func (b *byteSize) Set(text string) error {
	number, unit := text, int64(1)
	for _, u := range sizeUnits {
		if cut, ok := strings.CutSuffix(text, u.suffix); ok {
			number, unit = cut, u.bytes
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(number), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return errors.New("want a size such as 100MB, 512KiB or 5000 (bytes)")
	}
	*b = byteSize(n * unit)
	return nil
}

func (b *byteSize) String() string {
	n := int64(*b)
	switch {
	case n >= 1e9 && n%1e9 == 0:
		return fmt.Sprintf("%dGB", n/1e9)
	case n >= 1e6 && n%1e6 == 0:
		return fmt.Sprintf("%dMB", n/1e6)
	case n >= 1e3 && n%1e3 == 0:
		return fmt.Sprintf("%dkB", n/1e3)
	}
	return strconv.FormatInt(n, 10)
}
