// Package tap is chapter 02's wire tap: a TCP proxy that sits between
// a client and a server, passes every byte on, unchanged, and shows
// what crossed the wire: each chunk as the tap read it, when, and its
// bytes quoted.
//
//	go run ./02-byte-semantics tap -listen 127.0.0.1:8810 -to 127.0.0.1:8809
//
// The client connects to the tap (-listen); the tap connects to the
// server (-to). Options turn loopback into a slower network: -delay
// holds every chunk before passing it on, and -chunk cuts what the
// tap passes on into small pieces, a -gap apart.
//
// Where to read: this file reads the command line and accepts the
// clients; link.go passes one client's bytes both ways; screen.go
// shows what happens without ever making the bytes wait.
package tap

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

const usage = `usage: go run ./02-byte-semantics tap [-listen host:port] [-to host:port]
           [-delay duration] [-chunk bytes] [-chunk-to side] [-gap duration]
           [-max-conns n]

The tap passes every byte between a client and a server, both ways,
unchanged, and shows each chunk it reads: connection number, time since
the connection opened, direction, size, and the bytes quoted. Under
-chunk it also shows each piece it writes, and when.
Point the client at -listen; the tap connects to -to for it.

flags:
`

// The defaults of the flags that bound what the tap holds.
const (
	// defaultMaxConns is how many clients the tap passes on at
	// once, unless -max-conns says otherwise. Each one costs up to
	// 2 × 4 × 16 KiB of buffers and two open files; 256 of them,
	// 32 MiB and 512 files, fit any laptop.
	defaultMaxConns = 256

	// defaultGap is the time between two pieces under -chunk.
	defaultGap = 10 * time.Millisecond

	dialTimeout = 5 * time.Second
)

// A config is what the command line asked for.
type config struct {
	listen    string        // where clients connect
	to        string        // the server the tap connects to
	delay     time.Duration // how long each chunk is held
	pieceSize int           // largest write passed on; 0 for any
	chunkTo   string        // who receives the pieces
	gap       time.Duration // least time between two pieces
	maxConns  int           // clients passed on at once, at most
}

// The sides -chunk-to may name.
const (
	toServer = "server"
	toClient = "client"
	toBoth   = "both"
)

// Run is the tap command with its inputs passed in: it runs until ctx
// ends (chapter 02's main ends it on Ctrl-C). It returns the exit
// code: 0 for success, 1 when the network fails, 2 for a command line
// it cannot read.
func Run(ctx context.Context, args []string,
	stdout, stderr io.Writer) int {
	conf, code, ok := parseFlags(args, stdout, stderr)
	if !ok {
		return code
	}

	// Listen first: a port another program holds is the most
	// common mistake, and it is said at once, in one line.
	listener, err := net.Listen("tcp", conf.listen)
	if err != nil {
		fmt.Fprintf(stderr, "tap: cannot listen on %s: %v\n",
			conf.listen, reason(err))
		return 1
	}
	defer listener.Close()

	// A tap that connects to itself would open connections to
	// itself for ever.
	if pointsAtItself(conf.to, listener.Addr()) {
		fmt.Fprintf(stderr,
			"tap: -to %s is the tap's own address; give the server's\n",
			conf.to)
		return 2
	}

	display := newScreen(stdout, stderr, isTerminal(stdout))
	go display.print()
	display.show(0, fmt.Sprintf(
		"tap | listening on %s, passing every byte to %s",
		listener.Addr(), conf.to))
	if conf.delay > 0 || conf.pieceSize > 0 {
		display.show(0, "tap | "+describeSlowdown(conf))
	}

	p := &proxy{
		config: conf,
		screen: display,
		places: make(chan struct{}, conf.maxConns),
	}
	p.serve(ctx, listener.(*net.TCPListener))

	// Every connection has ended before the screen closes: no
	// line can come after it.
	p.links.Wait()
	display.show(0, "tap | stopped")
	display.close()
	return 0
}

// parseFlags reads the command line. A mistake gets one line on
// stderr and code 2; -h gets the usage on stdout and code 0.
func parseFlags(args []string, stdout, stderr io.Writer) (
	conf config, code int, ok bool) {
	flags := flag.NewFlagSet("tap", flag.ContinueOnError)
	// The flag package would print the whole usage after an
	// error; we print one line instead.
	flags.SetOutput(io.Discard)
	flags.StringVar(&conf.listen, "listen", "127.0.0.1:8810",
		"address the clients connect to")
	flags.StringVar(&conf.to, "to", "127.0.0.1:8809",
		"address of the server")
	flags.DurationVar(&conf.delay, "delay", 0,
		"hold each chunk this long before passing it on, each way (try 10ms)")
	flags.IntVar(&conf.pieceSize, "chunk", 0,
		"pass bytes on in writes of at most this many bytes (0: as read)")
	flags.StringVar(&conf.chunkTo, "chunk-to", toServer,
		"who gets the pieces of -chunk: server, client or both")
	flags.DurationVar(&conf.gap, "gap", defaultGap,
		"time between two pieces of -chunk (at least -delay)")
	flags.IntVar(&conf.maxConns, "max-conns", defaultMaxConns,
		"clients passed on at once; more are closed at once")

	err := flags.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		flags.SetOutput(stdout)
		flags.PrintDefaults()
		return conf, 0, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "tap: %v (-h for help)\n", err)
		return conf, 2, false
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr,
			"tap: unexpected argument %q (-h for help)\n",
			flags.Arg(0))
		return conf, 2, false
	}
	if conf.delay < 0 || conf.pieceSize < 0 || conf.gap < 0 {
		fmt.Fprintln(stderr,
			"tap: -delay, -chunk and -gap cannot be negative")
		return conf, 2, false
	}
	if conf.maxConns < 1 {
		fmt.Fprintf(stderr, "tap: -max-conns must be 1 or more, got %d\n",
			conf.maxConns)
		return conf, 2, false
	}
	switch conf.chunkTo {
	case toServer, toClient, toBoth:
	default:
		fmt.Fprintf(stderr,
			"tap: -chunk-to %q: say server, client or both\n",
			conf.chunkTo)
		return conf, 2, false
	}
	if _, _, err := net.SplitHostPort(conf.to); err != nil {
		fmt.Fprintf(stderr, "tap: -to %q is not host:port: %v\n",
			conf.to, reason(err))
		return conf, 2, false
	}
	return conf, 0, true
}

// pointsAtItself reports whether the server address is the tap's own.
func pointsAtItself(to string, listening net.Addr) bool {
	server, err := net.ResolveTCPAddr("tcp", to)
	if err != nil {
		// Not resolvable now: connecting will say so later.
		return false
	}
	self := listening.(*net.TCPAddr)
	if server.Port != self.Port {
		return false
	}
	// Listening on every interface (0.0.0.0 or [::]) takes in
	// loopback and this machine's own addresses.
	return server.IP.Equal(self.IP) || (self.IP.IsUnspecified() &&
		(server.IP.IsLoopback() || server.IP.IsUnspecified()))
}

// isTerminal reports whether out is a terminal, where a person
// reads, rather than a file or a pipe.
func isTerminal(out io.Writer) bool {
	file, ok := out.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// describeSlowdown says in words what -delay and -chunk do.
func describeSlowdown(conf config) string {
	var parts []string
	if conf.delay > 0 {
		parts = append(parts, fmt.Sprintf(
			"holding each chunk %v each way", conf.delay))
	}
	if conf.pieceSize > 0 {
		who := "the " + conf.chunkTo
		if conf.chunkTo == toBoth {
			who = "both sides"
		}
		parts = append(parts, fmt.Sprintf(
			"passing bytes on to %s in writes of at most %s, %v apart",
			who, byteCount(conf.pieceSize), max(conf.gap, conf.delay)))
	}
	return strings.Join(parts, ", ")
}

// reason strips from a network error the operation and address
// it repeats, which the message around it already names.
func reason(err error) error {
	var opError *net.OpError
	if errors.As(err, &opError) {
		return opError.Err
	}
	return err
}

// A proxy accepts clients and connects each to the server.
type proxy struct {
	config config
	screen *screen
	links  sync.WaitGroup
	nextID int

	// places holds one token for each client passed on now: when
	// it is full, a new client is closed at once.
	places chan struct{}
}

// serve accepts clients until ctx ends, each connection handled by
// its own goroutine.
func (p *proxy) serve(ctx context.Context, listener *net.TCPListener) {
	// Stopping closes the listener, which ends Accept's wait.
	stopAccepting := context.AfterFunc(ctx, func() {
		listener.Close()
	})
	defer stopAccepting()

	var backoff time.Duration
	for {
		client, err := listener.AcceptTCP()
		if ctx.Err() != nil {
			if client != nil {
				client.Close()
			}
			return
		}
		if err != nil {
			// Out of file descriptors, say: wait a little
			// longer each time rather than spin.
			backoff = min(max(2*backoff, 5*time.Millisecond),
				time.Second)
			p.screen.show(0, fmt.Sprintf(
				"tap | accepting a client failed: %v; trying again in %v",
				reason(err), backoff))
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return
			}
			continue
		}
		backoff = 0
		p.nextID++

		// Over the limit, the client is closed at once, with
		// the usual end of data: it reads no reply, and the
		// screen says why. The tap's memory and open files stay
		// bounded, whatever the clients do.
		select {
		case p.places <- struct{}{}:
		default:
			p.refuse(p.nextID, client)
			continue
		}
		p.links.Add(1)
		go func(id int) {
			defer p.links.Done()
			defer func() { <-p.places }()
			p.handle(ctx, id, client)
		}(p.nextID)
	}
}

// refuse closes a client that came over the limit, and says so.
func (p *proxy) refuse(id int, client *net.TCPConn) {
	p.screen.show(id, fmt.Sprintf(
		"#%d +0s client %s refused: %d clients are passed on already, "+
			"the most the tap takes (-max-conns); closing it",
		id, client.RemoteAddr(), p.config.maxConns))
	client.Close()
}

// handle connects one client to the server and passes bytes both
// ways until both sides have finished, one side fails, or ctx ends.
func (p *proxy) handle(ctx context.Context, id int,
	client *net.TCPConn) {
	l := &link{
		id:     id,
		opened: time.Now(),
		client: client,
		screen: p.screen,
		done:   make(chan struct{}),
	}

	// The tap connects to the server for this client. If the
	// server is not there, the client gets a reset, as it would
	// have got from the server's machine.
	dialer := net.Dialer{Timeout: dialTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", p.config.to)
	if err != nil {
		l.show(
			"client %s connected; cannot connect to the server %s: %v; resetting the client",
			client.RemoteAddr(), p.config.to, reason(err))
		_ = client.SetLinger(0)
		client.Close()
		return
	}
	l.server = conn.(*net.TCPConn)
	l.show("client %s connected; tap connected to the server %s",
		client.RemoteAddr(), l.server.RemoteAddr())

	// Ctrl-C closes every connection.
	stopWatching := context.AfterFunc(ctx, func() {
		l.end(false, "the tap is stopping; closing both sides")
	})
	defer stopWatching()

	// Each direction cuts its bytes into pieces if -chunk-to
	// names its receiver.
	conf := p.config
	pieces := func(receiver string) int {
		if conf.chunkTo == receiver || conf.chunkTo == toBoth {
			return conf.pieceSize
		}
		return 0
	}
	up := newDirection(l, "client->server", "client",
		client, l.server, conf, pieces(toServer))
	down := newDirection(l, "server->client", "server",
		l.server, client, conf, pieces(toClient))

	// Each direction is a reader and a writer, with the chunks
	// in between: four goroutines.
	var pumps sync.WaitGroup
	for _, d := range []*direction{up, down} {
		pumps.Add(2)
		go func() { defer pumps.Done(); d.read() }()
		go func() { defer pumps.Done(); d.write() }()
	}
	pumps.Wait()

	// Both sides have said all they had to say, or the link was
	// ended early. Either way, close what is still open.
	l.end(false, "")
	l.show("closed: %s client->server, %s server->client",
		byteCount(up.total), byteCount(down.total))
}
